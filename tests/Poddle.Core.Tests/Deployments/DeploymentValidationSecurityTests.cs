using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;

namespace Poddle.Core.Tests.Deployments;

/// <summary>
/// Security settings, registry credentials and command checks through the real deployments service: the fields, what
/// each driver can honour (the in-memory drivers say what the real sandbox and docker drivers say), and the
/// write-only password.
/// </summary>
public sealed class DeploymentValidationSecurityTests
{
    private const string Password = "Reg-pw-Zz81-never-shown";

    public static TheoryData<string, NewDeployment> InvalidRequests => new()
    {
        // The sandbox cannot exec, choose a user or add capabilities.
        { "HealthCheck.Type", new NewDeployment("web", Command: ["python3", "app.py"], HealthCheck: new HealthCheckInput("command", Command: ["true"])) },
        { "Security.User", new NewDeployment("web", Command: ["python3", "app.py"]) { Security = new SecurityInput(User: "1000") } },
        { "Security.Capabilities", new NewDeployment("web", Command: ["python3", "app.py"]) { Security = new SecurityInput(Capabilities: ["NET_BIND_SERVICE"]) } },
        { "Security.Capabilities[1]", new NewDeployment("web", Image: "nginx") { Security = new SecurityInput(Capabilities: ["CHOWN", "SYS_ADMIN"]) } },
        { "Security.Capabilities[0]", new NewDeployment("web", Image: "nginx") { Security = new SecurityInput(Capabilities: ["NET_RAW"]) } },
        { "Security.User", new NewDeployment("web", Image: "nginx") { Security = new SecurityInput(User: "not a user") } },
        { "Security.User", new NewDeployment("web", Image: "nginx") { Security = new SecurityInput(User: "99999999999") } },
        { "Security.User", new NewDeployment("web", Image: "nginx") { Security = new SecurityInput(RunAsNonRoot: true, User: "0:0") } },
        { "Security.User", new NewDeployment("web", Image: "nginx") { Security = new SecurityInput(RunAsNonRoot: true, User: "root") } },
        { "RegistryAuth", new NewDeployment("web", Command: ["python3", "app.py"]) { RegistryAuth = new RegistryAuthInput("docker.io", "alice", Password) } },
        { "RegistryAuth.Server", new NewDeployment("web", Image: "ghcr.io/team/web:1") { RegistryAuth = new RegistryAuthInput("registry.example.com", "alice", Password) } },
        { "RegistryAuth.Server", new NewDeployment("web", Image: "ghcr.io/team/web:1") { RegistryAuth = new RegistryAuthInput("ghcr.io/../x", "alice", Password) } },
        { "RegistryAuth.Username", new NewDeployment("web", Image: "ghcr.io/team/web:1") { RegistryAuth = new RegistryAuthInput("ghcr.io", null, Password) } },
        { "RegistryAuth.Password", new NewDeployment("web", Image: "ghcr.io/team/web:1") { RegistryAuth = new RegistryAuthInput("ghcr.io", "alice") } },
        { "RegistryAuth.Password", new NewDeployment("web", Image: "ghcr.io/team/web:1") { RegistryAuth = new RegistryAuthInput("ghcr.io", "alice", "a\nb") } },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task Create_Invalid_NamesTheFieldNeverThePasswordAndStoresNothing(string field, NewDeployment request)
    {
        await using var harness = await DeploymentsHarness.CreateAsync(DatabaseProvider.Sqlite);
        var (alice, project) = await harness.CreateUserWithProjectAsync("alice", UserTier.Pro, project: "demo");

        var result = await harness.CreateAsync(alice, project, request);

        Assert.False(result.IsSuccess);
        Assert.Equal(ErrorKind.Validation, result.Error.Kind);
        Assert.Contains(field, result.Error.Fields!.Keys);
        Assert.DoesNotContain(Password, result.Error.Message + string.Concat(result.Error.Fields.Values.SelectMany(v => v)), StringComparison.Ordinal);
        await using var db = harness.Database.CreateContext();
        Assert.Equal(0, await db.Deployments.CountAsync());
    }

    [Fact]
    public async Task Create_DockerWithEverything_StoredNormalisedPasswordOnlyEncrypted()
    {
        await using var harness = await DeploymentsHarness.CreateAsync(DatabaseProvider.Sqlite);
        var (alice, project) = await harness.CreateUserWithProjectAsync("alice", UserTier.Pro, project: "demo");

        var result = await harness.CreateAsync(alice, project, new NewDeployment(
            "web",
            Image: "registry.example.com:5000/team/web:1",
            Command: ["/app/server", "--port", "8080"],
            HealthCheck: new HealthCheckInput("command", Command: ["/app/healthcheck"]))
        {
            Security = new SecurityInput(ReadOnlyRootFilesystem: true, RunAsNonRoot: true, User: "1000:1000", Capabilities: ["net_bind_service", "CAP_CHOWN", "CHOWN"]),
            RegistryAuth = new RegistryAuthInput("https://Registry.Example.com:5000/", "alice", Password),
        });

        Assert.True(result.IsSuccess, result.IsSuccess ? null : result.Error.Message);
        var spec = result.Value.Spec;
        Assert.Equal(new SecuritySpec(true, true, "1000:1000", ["CHOWN", "NET_BIND_SERVICE"]), spec.Security);
        Assert.Equal(["/app/server", "--port", "8080"], spec.Command);
        Assert.Equal(("https://Registry.Example.com:5000/", "alice"), (spec.RegistryAuth!.Server, spec.RegistryAuth.Username));
        await using var db = harness.Database.CreateContext();
        var revision = await db.DeploymentRevisions.SingleAsync();
        Assert.DoesNotContain(Password, revision.SpecJson, StringComparison.Ordinal);
        var protector = harness.Services.GetRequiredService<SecretProtector>();
        Assert.Equal(Password, protector.UnprotectValue(DeploymentSpecJson.Deserialize(revision.SpecJson).RegistryAuth!.PasswordCiphertext));
        Assert.All(await db.DeploymentEvents.ToListAsync(), e => Assert.DoesNotContain(Password, e.Message + e.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Update_CommandKeepsTheImage_PasswordKeptForTheSameAccount_EmptyAuthRemoves_OtherRegistryRefused()
    {
        await using var harness = await DeploymentsHarness.CreateAsync(DatabaseProvider.Sqlite);
        var (alice, project) = await harness.CreateUserWithProjectAsync("alice", UserTier.Pro, project: "demo");
        var created = await harness.CreateAsync(alice, project, new NewDeployment("web", Image: "ghcr.io/team/web:1")
        {
            RegistryAuth = new RegistryAuthInput("ghcr.io", "alice", Password),
        });
        var id = created.Value.Deployment.Id;
        Task<Result<DeploymentView>> Update(DeploymentChanges changes) =>
            harness.WithServiceAsync<Result<DeploymentView>, DeploymentService>(s => s.UpdateAsync(alice, id, changes, CancellationToken.None));

        // A command alone overrides the image's command; the image (and its credentials) stay.
        var command = await Update(new DeploymentChanges(Command: ["sh", "-c", "exec web --verbose"]));
        Assert.Equal(("ghcr.io/team/web:1", "ghcr.io"), (command.Value.Spec.Image, command.Value.Spec.RegistryAuth!.Server));
        Assert.Equal(["sh", "-c", "exec web --verbose"], command.Value.Spec.Command);

        // The same account without its password keeps the stored one; a new image alone drops the command override.
        var sameAccount = await Update(new DeploymentChanges(Image: "ghcr.io/team/web:2") { RegistryAuth = new RegistryAuthInput("ghcr.io", "alice") });
        Assert.Null(sameAccount.Value.Spec.Command);
        var protector = harness.Services.GetRequiredService<SecretProtector>();
        Assert.Equal(Password, protector.UnprotectValue(sameAccount.Value.Spec.RegistryAuth!.PasswordCiphertext));

        // Another account needs its password; an image from another registry cannot keep these credentials.
        Assert.Contains("RegistryAuth.Password", (await Update(new DeploymentChanges { RegistryAuth = new RegistryAuthInput("ghcr.io", "bob") })).Error!.Fields!.Keys);
        Assert.Contains("RegistryAuth.Server", (await Update(new DeploymentChanges(Image: "nginx:1.27"))).Error!.Fields!.Keys);

        var removed = await Update(new DeploymentChanges(Image: "nginx:1.27") { RegistryAuth = new RegistryAuthInput() });
        Assert.Null(removed.Value.Spec.RegistryAuth);
        var events = await harness.WithServiceAsync<Result<IReadOnlyList<DeploymentEvent>>, DeploymentService>(s => s.ListEventsAsync(alice, id, 100, CancellationToken.None));
        Assert.Contains(events.Value, e => e.Message.Contains("registry credentials removed", StringComparison.Ordinal));
        Assert.All(events.Value, e => Assert.DoesNotContain(Password, e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Update_SecurityReplacedAsAWholeAndKeptWhenNotGiven()
    {
        await using var harness = await DeploymentsHarness.CreateAsync(DatabaseProvider.Sqlite);
        var (alice, project) = await harness.CreateUserWithProjectAsync("alice", UserTier.Pro, project: "demo");
        var created = await harness.CreateAsync(alice, project, new NewDeployment("web", Image: "nginx")
        {
            Security = new SecurityInput(ReadOnlyRootFilesystem: true, User: "101"),
        });
        var id = created.Value.Deployment.Id;
        Task<Result<DeploymentView>> Update(DeploymentChanges changes) =>
            harness.WithServiceAsync<Result<DeploymentView>, DeploymentService>(s => s.UpdateAsync(alice, id, changes, CancellationToken.None));

        var kept = await Update(new DeploymentChanges(Port: 9000));
        var replaced = await Update(new DeploymentChanges { Security = new SecurityInput(RunAsNonRoot: true) });
        var onlySecurity = await Update(new DeploymentChanges { Security = new SecurityInput() });

        Assert.Equal(new SecuritySpec(true, false, "101", []), kept.Value.Spec.Security);
        Assert.Equal(new SecuritySpec(false, true, null, []), replaced.Value.Spec.Security);
        Assert.True(onlySecurity.Value.Spec.Security.IsDefault);
    }

    [Fact]
    public async Task Create_CommandCheckOnADriverThatExecs_AndSandboxSettingsItAlreadyKeeps_AreAccepted()
    {
        await using var harness = await DeploymentsHarness.CreateAsync(DatabaseProvider.Sqlite);
        var (alice, project) = await harness.CreateUserWithProjectAsync("alice", UserTier.Pro, project: "demo");

        var docker = await harness.CreateAsync(alice, project, new NewDeployment("box", Image: "busybox", HealthCheck: new HealthCheckInput("command", Command: ["true"])));
        var sandbox = await harness.CreateAsync(alice, project, new NewDeployment("api", Command: ["python3", "app.py"])
        {
            Security = new SecurityInput(ReadOnlyRootFilesystem: true, RunAsNonRoot: true),
        });

        Assert.True(docker.IsSuccess, docker.IsSuccess ? null : docker.Error.Message);
        Assert.True(sandbox.IsSuccess, sandbox.IsSuccess ? null : sandbox.Error.Message);
    }
}
