using Microsoft.AspNetCore.Http;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Executions;
using Poddle.Server.Errors;

namespace Poddle.Server.Tests.Errors;

public sealed class FieldNamesTests
{
    [Theory]
    [InlineData("HealthCheck.Command", "healthCheck.command")]
    [InlineData("Resources.CpuMillicores", "resources.cpuMillicores")]
    [InlineData("SourceId", "sourceId")]
    [InlineData("RegistryAuth.Server", "registryAuth.server")]
    public void ToApi_NestedMembers_CamelCasesEachMember(string core, string api) =>
        Assert.Equal(api, FieldNames.Api.ToApi(core));

    [Theory]
    [InlineData("Security.Capabilities[0]", "security.capabilities[0]")]
    [InlineData("HealthCheck.Command[12]", "healthCheck.command[12]")]
    [InlineData("Tests[1].ExpectedStdout", "tests[1].expectedStdout")]
    public void ToApi_Index_KeepsTheIndex(string core, string api) =>
        Assert.Equal(api, FieldNames.Api.ToApi(core));

    [Theory]
    [InlineData("MY_VAR", "env.MY_VAR")]
    [InlineData("PORT", "env.PORT")]
    [InlineData("A.b['x']\n", "env.A.b['x']\n")]
    public void ToApi_DictionaryKey_KeepsTheKeyVerbatimAfterADot(string key, string api) =>
        Assert.Equal(api, FieldNames.Api.ToApi(DeploymentFields.Env.Key(key).Value));

    [Theory]
    [InlineData("body")]
    [InlineData("encoding")]
    [InlineData("tests[1].expectedStdout")]
    [InlineData("report.checks[2].status")]
    [InlineData("expiresInDays")]
    public void ToApi_NameAlreadyInTheApisSpelling_IsUnchanged(string name) =>
        Assert.Equal(name, FieldNames.Api.ToApi(name));

    [Fact]
    public void ToApi_RenamedPath_TakesTheRequestsName()
    {
        Assert.Equal("code", FieldNames.Api.ToApi(ExecutionFields.Files.Value));
        Assert.Equal("body", FieldNames.Api.ToApi(DeploymentFields.Changes.Value));
        Assert.Equal("body", FieldNames.Api.ToApi(DeploymentFields.SourceBundle.Value));
    }

    [Fact]
    public void ToApi_PistonApi_NamesTheFilesAsCoreAndTheLimitsRun()
    {
        Assert.Equal("files", FieldNames.Piston.ToApi(ExecutionFields.Files.Value));
        Assert.Equal("run.cpuMs", FieldNames.Piston.ToApi(ExecutionFields.Limits.Member(nameof(LimitRequest.CpuMs)).Value));
        Assert.Equal("compileLimits.wallMs", FieldNames.Piston.ToApi(ExecutionFields.CompileLimits.Member(nameof(LimitRequest.WallMs)).Value));
        Assert.Equal("limits.cpuMs", FieldNames.Api.ToApi(ExecutionFields.Limits.Member(nameof(LimitRequest.CpuMs)).Value));
    }

    [Theory]
    [InlineData("A", "x")]
    [InlineData("A.B", "y")]
    [InlineData("A.B.C", "y.c")]
    [InlineData("A.B[2]", "y[2]")]
    [InlineData("A.Bc", "x.bc")]
    [InlineData("Ab", "ab")]
    public void ToApi_SeveralRenamesMatch_TheLongestWholeMembersWin(string core, string api)
    {
        var names = new FieldNames(
            new Dictionary<string, string> { ["A"] = "x" },
            new Dictionary<string, string> { ["A.B"] = "y" });

        Assert.Equal(api, names.ToApi(core));
    }

    [Fact]
    public void Constructor_PathRenamedTwice_Throws() =>
        Assert.Throws<ArgumentException>(() => new FieldNames(
            new Dictionary<string, string> { ["Files"] = "code" },
            new Dictionary<string, string> { ["Files"] = "files" }));

    [Fact]
    public void ToApi_TwoPathsWithOneApiName_JoinsTheirMessages()
    {
        var fields = new Dictionary<string, string[]> { ["DeploymentChanges"] = ["a"], ["body"] = ["b"] };

        var mapped = FieldNames.Api.ToApi(fields)!;

        Assert.Equal(["a", "b"], Assert.Single(mapped, f => f.Key == "body").Value.Order(StringComparer.Ordinal));
        Assert.Single(mapped);
    }

    [Fact]
    public void ToApi_NoFields_IsNull() => Assert.Null(FieldNames.Api.ToApi((IReadOnlyDictionary<string, string[]>?)null));

    [Fact]
    public void ToResult_CoreValidationError_ProblemNamesTheApiField()
    {
        var errors = new FieldErrors();
        errors.Add(DeploymentFields.HealthCheckCommand, "A command check needs the command (argv) to run.");
        errors.Add(DeploymentFields.SecurityCapabilities.Index(1), "'SYS_ADMIN' cannot be given to a pod.");
        errors.Add(DeploymentFields.Env.Key("PODDLE_X"), "PORT and names starting with PODDLE_ are set by Poddle.");

        var problem = Assert.IsType<HttpValidationProblemDetails>(Problems.ToResult(errors.ToError()).ProblemDetails);

        Assert.Equal(["env.PODDLE_X", "healthCheck.command", "security.capabilities[1]"], problem.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["A command check needs the command (argv) to run."], problem.Errors["healthCheck.command"]);
    }
}
