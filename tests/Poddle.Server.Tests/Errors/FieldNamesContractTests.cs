using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Poddle.Contracts;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Curriculum.Submissions;
using Poddle.Core.Deployments;
using Poddle.Core.Executions;
using Poddle.Core.Pools;
using Poddle.Core.Projects;
using Poddle.Server.Errors;

namespace Poddle.Server.Tests.Errors;

/// <summary>
/// Holds Core's field names and the API's request contracts together: every field Core can name, once mapped by
/// <see cref="FieldNames.Api"/>, is a JSON property path of the request it came in (read with the API's own
/// serializer options), so renaming a Core property or a request field without the other fails here, not in a client.
/// </summary>
public sealed class FieldNamesContractTests
{
    private static readonly JsonSerializerOptions Json = PoddleJsonContext.Default.Options;

    /// <summary>Names that are not a property of a request: the body as a whole, a query parameter, a count over the project.</summary>
    private static readonly HashSet<string> NotARequestProperty = new(StringComparer.Ordinal) { "body", "limit", "deployments", "pools" };

    /// <summary>Each Core input, the request the API reads it from, and the Core properties the server sets itself.</summary>
    public static TheoryData<Type, Type, string[]> Inputs => new()
    {
        { typeof(NewDeployment), typeof(CreateDeploymentRequest), [] },
        { typeof(DeploymentChanges), typeof(UpdateDeploymentRequest), [] },
        { typeof(ExecutionSubmission), typeof(SubmitExecutionRequest), [nameof(ExecutionSubmission.CompileLimits), nameof(ExecutionSubmission.Source)] },
        { typeof(GradeSubmission), typeof(GradeSubmissionRequest), [] },
        { typeof(NewUser), typeof(RegisterRequest), [] },
        { typeof(UserChanges), typeof(UpdateUserRequest), [nameof(UserChanges.CallerSessionId)] },
        { typeof(ProjectChanges), typeof(UpdateProjectRequest), [] },
        { typeof(ProjectChanges), typeof(CreateProjectRequest), [] },
        { typeof(NewPool), typeof(CreatePoolRequest), [] },
        { typeof(PoolChanges), typeof(UpdatePoolRequest), [] },
        { typeof(PoolJobSubmission), typeof(ServerlessRunRequest), [] },
    };

    /// <summary>Every field path a feature's <c>XxxFields</c> declares (and the indexed and keyed paths built from them), with the requests of that feature.</summary>
    public static TheoryData<string, Type[]> DeclaredFields
    {
        get
        {
            Type[] deployments = [typeof(CreateDeploymentRequest), typeof(UpdateDeploymentRequest), typeof(ScaleDeploymentRequest), typeof(RollbackDeploymentRequest), typeof(AddDomainRequest)];
            Type[] executions = [typeof(SubmitExecutionRequest)];
            var data = new TheoryData<string, Type[]>();
            foreach (var path in Declared(typeof(DeploymentFields)))
            {
                data.Add(path.Value, deployments);
            }

            data.Add(DeploymentFields.Command.Index(1).Value, deployments);
            data.Add(DeploymentFields.HealthCheckCommand.Index(0).Value, deployments);
            data.Add(DeploymentFields.SecurityCapabilities.Index(0).Value, deployments);
            data.Add(DeploymentFields.Env.Key("MY_VAR").Value, deployments);
            foreach (var path in Declared(typeof(ExecutionFields)).Where(p => p != ExecutionFields.CompileLimits))
            {
                data.Add(path.Value, executions);
            }

            foreach (var member in new[] { nameof(LimitRequest.CpuMs), nameof(LimitRequest.WallMs), nameof(LimitRequest.MemoryMb) })
            {
                data.Add(ExecutionFields.Limits.Member(member).Value, executions);
            }

            Type[] pools = [typeof(CreatePoolRequest), typeof(UpdatePoolRequest), typeof(ScalePoolRequest)];
            foreach (var path in Declared(typeof(PoolFields)))
            {
                data.Add(path.Value, pools);
            }

            foreach (var path in Declared(typeof(PoolJobFields)))
            {
                data.Add(path.Value, [typeof(ServerlessRunRequest)]);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void CoreInput_EveryPropertyPath_IsAJsonPropertyOfItsRequest(Type input, Type request, string[] setByServer)
    {
        var paths = PropertyPaths(input, prefix: null).Where(p => !setByServer.Contains(p.Split('.')[0])).ToList();
        Assert.NotEmpty(paths);

        var missing = paths.Where(p => !Resolves(request, FieldNames.Api.ToApi(p))).Select(p => $"{p} → {FieldNames.Api.ToApi(p)}").ToList();

        Assert.True(missing.Count == 0, $"{input.Name}'s fields that {request.Name} has no JSON property for (rename one side, or add a rename in FieldNames): {string.Join(", ", missing)}");
    }

    [Theory]
    [MemberData(nameof(DeclaredFields))]
    public void DeclaredField_MappedToTheApi_IsAJsonPropertyOfARequestOrTheBody(string corePath, Type[] requests)
    {
        var api = FieldNames.Api.ToApi(corePath);

        Assert.True(
            NotARequestProperty.Contains(api) || requests.Any(r => Resolves(r, api)),
            $"Core's field {corePath} reaches the API as '{api}', which none of {string.Join(", ", requests.Select(r => r.Name))} has.");
    }

    [Theory]
    [InlineData("healthCheck.command[0]", true)]
    [InlineData("env.ANY_NAME", true)]
    [InlineData("security.capabilities[2]", true)]
    [InlineData("healthCheck.commands", false)]
    [InlineData("HealthCheck.Command", false)]
    [InlineData("name.length", false)]
    public void Resolves_AgainstCreateDeploymentRequest_FollowsTheJsonContract(string api, bool expected) =>
        Assert.Equal(expected, Resolves(typeof(CreateDeploymentRequest), api));

    private static IEnumerable<FieldPath> Declared(Type fields) =>
        fields.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(FieldPath))
            .Select(f => (FieldPath)f.GetValue(null)!);

    /// <summary>The paths of an input's settable properties, into nested Core records (not into collections).</summary>
    private static IEnumerable<string> PropertyPaths(Type type, string? prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is not null && p.GetIndexParameters().Length == 0))
        {
            var path = prefix is null ? property.Name : $"{prefix}.{property.Name}";
            yield return path;
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (propertyType.Assembly == typeof(FieldPath).Assembly && propertyType.IsClass)
            {
                foreach (var nested in PropertyPaths(propertyType, path))
                {
                    yield return nested;
                }
            }
        }
    }

    /// <summary>True when <paramref name="apiPath"/> (members, <c>[n]</c> indexes, <c>.key</c> of a dictionary) is a path into <paramref name="type"/>'s JSON.</summary>
    private static bool Resolves(Type type, string apiPath)
    {
        var info = Json.GetTypeInfo(type);
        var rest = apiPath;
        while (rest.Length > 0)
        {
            if (rest[0] == '[')
            {
                var close = rest.IndexOf(']', StringComparison.Ordinal);
                if (info.Kind != JsonTypeInfoKind.Enumerable || close < 0)
                {
                    return false;
                }

                info = Json.GetTypeInfo(info.ElementType!);
                rest = rest[(close + 1)..];
                continue;
            }

            rest = rest.StartsWith('.') ? rest[1..] : rest;
            if (info.Kind == JsonTypeInfoKind.Dictionary)
            {
                return rest.Length > 0; // a key is the path's last segment, any name the client chose
            }

            var end = rest.IndexOfAny(['.', '[']);
            var name = end < 0 ? rest : rest[..end];
            var property = info.Kind == JsonTypeInfoKind.Object ? info.Properties.FirstOrDefault(p => p.Name == name) : null;
            if (property is null)
            {
                return false;
            }

            info = Json.GetTypeInfo(property.PropertyType);
            rest = rest[name.Length..];
        }

        return true;
    }
}
