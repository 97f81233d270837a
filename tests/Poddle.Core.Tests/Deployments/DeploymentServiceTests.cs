using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Deployments;

public sealed class DeploymentServiceTests
{
    private const string SecretValue = "s3cr3t-Value-that-must-never-show";

    private static NewDeployment Web(string name = "web") => new(
        name,
        Image: "ghcr.io/example/web:1",
        Env: new Dictionary<string, string> { ["MODE"] = "prod" },
        Secrets: new Dictionary<string, string> { ["API_KEY"] = SecretValue });

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Create_Valid_StoresPendingRevisionEventAndOneConvergeJob(DatabaseProvider provider)
    {
        await using var harness = await DeploymentsHarness.CreateAsync(provider);
        var (alice, project) = await harness.CreateUserWithProjectAsync("alice");

        var created = await harness.CreateAsync(alice, project, Web());

        Assert.True(created.IsSuccess, created.Error?.Message);
        var view = created.Value;
        Assert.Equal(DeploymentStatus.Pending, view.Deployment.Status);
        Assert.Equal("docker", view.Deployment.Driver);
        Assert.Equal(1, view.Deployment.Replicas);
        Assert.Equal(1, view.Deployment.Generation);
        Assert.Equal(8080, view.Spec.Port);
        Assert.Equal(new ResourceSpec(250, 256), view.Spec.Resources);
        Assert.Equal(["API_KEY"], view.Spec.SecretKeys);
        Assert.Equal("demo", view.ProjectName);

        await using var db = harness.Database.CreateContext();
        var revision = await db.DeploymentRevisions.SingleAsync(r => r.DeploymentId == view.Deployment.Id);
        Assert.Equal(1, revision.Number);
        Assert.Equal("create", revision.Cause);
        Assert.DoesNotContain(SecretValue, revision.SpecJson, StringComparison.Ordinal);
        var events = await db.DeploymentEvents.Where(e => e.DeploymentId == view.Deployment.Id).ToListAsync();
        Assert.Equal("Created", Assert.Single(events).Type);
        var job = Assert.Single(await harness.ConvergeJobsAsync(view.Deployment.Id));
        Assert.Contains("\"generation\":1", job.Payload, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Secrets_CiphertextHoldsNoPlaintextAndDecryptsBack(DatabaseProvider provider)
    {
        await using var harness = await DeploymentsHarness.CreateAsync(provider);
        var (alice, project) = await harness.CreateUserWithProjectAsync("alice");
        var view = (await harness.CreateAsync(alice, project, Web())).Value;

        await using var db = harness.Database.CreateContext();
        var revision = await db.DeploymentRevisions.SingleAsync(r => r.DeploymentId == view.Deployment.Id);
        Assert.NotNull(revision.SecretsCiphertext);
        Assert.DoesNotContain(SecretValue, Encoding.UTF8.GetString(revision.SecretsCiphertext), StringComparison.Ordinal);
        Assert.DoesNotContain("API_KEY", Encoding.UTF8.GetString(revision.SecretsCiphertext), StringComparison.Ordinal);
        var secrets = harness.Services.GetRequiredService<SecretProtector>().Unprotect(revision.SecretsCiphertext);
        Assert.Equal(SecretValue, secrets["API_KEY"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Update_MergesEnvAndSecrets_NewRevisionAndGeneration(DatabaseProvider provider)
    {
        await using var harness = await DeploymentsHarness.CreateAsync(provider);
        var (alice, project) = await harness.CreateUserWithProjectAsync("alice");
        var view = (await harness.CreateAsync(alice, project, Web())).Value;

        var updated = await harness.WithServiceAsync<Result<DeploymentView>, DeploymentService>(s => s.UpdateAsync(alice, view.Deployment.Id, new DeploymentChanges(
            Image: "ghcr.io/example/web:2",
            Env: new Dictionary<string, string?> { ["MODE"] = null, ["LEVEL"] = "debug" },
            Secrets: new Dictionary<string, string?> { ["DB_PASSWORD"] = "pw-2" }), CancellationToken.None));

        Assert.True(updated.IsSuccess, updated.Error?.Message);
        Assert.Equal(2, updated.Value.Deployment.CurrentRevision);
        Assert.Equal(2, updated.Value.Deployment.Generation);
        Assert.Equal("ghcr.io/example/web:2", updated.Value.Spec.Image);
        Assert.Equal(new Dictionary<string, string> { ["LEVEL"] = "debug" }, updated.Value.Spec.Env);
        Assert.Equal(["API_KEY", "DB_PASSWORD"], updated.Value.Spec.SecretKeys);
        await using var db = harness.Database.CreateContext();
        var revision2 = await db.DeploymentRevisions.SingleAsync(r => r.DeploymentId == view.Deployment.Id && r.Number == 2);
        var secrets = harness.Services.GetRequiredService<SecretProtector>().Unprotect(revision2.SecretsCiphertext);
        Assert.Equal(SecretValue, secrets["API_KEY"]);
        Assert.Equal("pw-2", secrets["DB_PASSWORD"]);
        Assert.Equal(2, (await harness.ConvergeJobsAsync(view.Deployment.Id)).Count);
        var events = await db.DeploymentEvents.Where(e => e.DeploymentId == view.Deployment.Id).ToListAsync();
        Assert.Contains(events, e => e.Type == "Updated" && e.Message.Contains("DB_PASSWORD", StringComparison.Ordinal));
        Assert.All(events, e => Assert.DoesNotContain("pw-2", e.Message, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Rollback_CopiesSpecAndSecretsOfTheRevision(DatabaseProvider provider)
    {
        await using var harness = await DeploymentsHarness.CreateAsync(provider);
        var (alice, project) = await harness.CreateUserWithProjectAsync("alice");
        var id = (await harness.CreateAsync(alice, project, Web())).Value.Deployment.Id;
        await harness.WithServiceAsync<Result<DeploymentView>, DeploymentService>(s => s.UpdateAsync(alice, id, new DeploymentChanges(
            Image: "ghcr.io/example/web:2", Secrets: new Dictionary<string, string?> { ["API_KEY"] = "rotated" }), CancellationToken.None));

        var rolled = await harness.WithServiceAsync<Result<DeploymentView>, DeploymentService>(s => s.RollbackAsync(alice, id, null, CancellationToken.None));

        Assert.True(rolled.IsSuccess, rolled.Error?.Message);
        Assert.Equal(3, rolled.Value.Deployment.CurrentRevision);
        Assert.Equal("ghcr.io/example/web:1", rolled.Value.Spec.Image);
        await using var db = harness.Database.CreateContext();
        var revision3 = await db.DeploymentRevisions.SingleAsync(r => r.DeploymentId == id && r.Number == 3);
        Assert.Equal("rollback to 1", revision3.Cause);
        Assert.Equal(SecretValue, harness.Services.GetRequiredService<SecretProtector>().Unprotect(revision3.SecretsCiphertext)["API_KEY"]);
        var revisions = (await harness.WithServiceAsync<Result<IReadOnlyList<RevisionView>>, DeploymentService>(s => s.ListRevisionsAsync(alice, id, CancellationToken.None))).Value;
        Assert.Equal([3, 2, 1], revisions.Select(r => r.Revision.Number));
        Assert.True(revisions[0].Current);

        var toCurrent = await harness.WithServiceAsync<Result<DeploymentView>, DeploymentService>(s => s.RollbackAsync(alice, id, 3, CancellationToken.None));
        var missing = await harness.WithServiceAsync<Result<DeploymentView>, DeploymentService>(s => s.RollbackAsync(alice, id, 9, CancellationToken.None));
        Assert.Equal("Revision", Assert.Single(toCurrent.Error!.Fields!).Key);
        Assert.Equal("Revision", Assert.Single(missing.Error!.Fields!).Key);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task ScaleRestartDelete_BumpGenerationAndEnqueueEach(DatabaseProvider provider)
    {
        await using var harness = await DeploymentsHarness.CreateAsync(provider);
        var (alice, project) = await harness.CreateUserWithProjectAsync("alice");
        var id = (await harness.CreateAsync(alice, project, Web())).Value.Deployment.Id;
        harness.Clock.Advance(TimeSpan.FromSeconds(5));

        var scaled = await harness.WithServiceAsync<Result<DeploymentView>, DeploymentService>(s => s.ScaleAsync(alice, id, 2, CancellationToken.None));
        harness.Clock.Advance(TimeSpan.FromSeconds(5));
        var restarted = await harness.WithServiceAsync<Result<DeploymentView>, DeploymentService>(s => s.RestartAsync(alice, id, CancellationToken.None));
        harness.Clock.Advance(TimeSpan.FromSeconds(5));
        var deleted = await harness.WithServiceAsync<Result<DeploymentView>, DeploymentService>(s => s.DeleteAsync(alice, id, CancellationToken.None));

        Assert.Equal((2, 2L), (scaled.Value.Deployment.Replicas, scaled.Value.Deployment.Generation));
        Assert.Equal(3, restarted.Value.Deployment.Generation);
        Assert.Equal(harness.Clock.GetStoredUtcNow() - TimeSpan.FromSeconds(5), restarted.Value.Deployment.RestartRequestedAt);
        Assert.Equal(DeploymentStatus.Deleting, deleted.Value.Deployment.Status);
        Assert.Equal(4, deleted.Value.Deployment.Generation);
        Assert.NotNull(deleted.Value.Deployment.DeletedAt);
        Assert.Equal(["1", "2", "3", "4"], (await harness.ConvergeJobsAsync(id)).Select(j => j.IdempotencyKey!.Split(':')[^1]));

        var afterDelete = await harness.WithServiceAsync<Result<DeploymentView>, DeploymentService>(s => s.ScaleAsync(alice, id, 1, CancellationToken.None));
        Assert.Equal("deployment-deleted", afterDelete.Error!.Code);
        var events = (await harness.WithServiceAsync<Result<IReadOnlyList<DeploymentEvent>>, DeploymentService>(s => s.ListEventsAsync(alice, id, 10, CancellationToken.None))).Value;
        Assert.Equal("StatusChanged", events[0].Type);
        Assert.Equal("Deleting", events[0].Reason);
        Assert.Contains(events, e => e.Type == "Scaled");
        Assert.Equal("Created", events[^1].Type);

        // The name is free again once deleted.
        Assert.True((await harness.CreateAsync(alice, project, Web())).IsSuccess);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task OtherUser_SeesNothing(DatabaseProvider provider)
    {
        await using var harness = await DeploymentsHarness.CreateAsync(provider);
        var (alice, project) = await harness.CreateUserWithProjectAsync("alice");
        var (bob, _) = await harness.CreateUserWithProjectAsync("bob");
        var id = (await harness.CreateAsync(alice, project, Web())).Value.Deployment.Id;

        await using var scope = harness.Scope();
        var service = scope.ServiceProvider.GetRequiredService<DeploymentService>();
        var ct = CancellationToken.None;
        Assert.Equal(ErrorKind.NotFound, (await service.GetAsync(bob, id, ct)).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, (await service.ListAsync(bob, project, ct)).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, (await service.CreateAsync(bob, project, Web("mine"), ct)).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, (await service.UpdateAsync(bob, id, new DeploymentChanges(Port: 9000), ct)).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, (await service.ScaleAsync(bob, id, 0, ct)).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, (await service.RestartAsync(bob, id, ct)).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, (await service.RollbackAsync(bob, id, 1, ct)).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, (await service.DeleteAsync(bob, id, ct)).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, (await service.ListRevisionsAsync(bob, id, ct)).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, (await service.ListEventsAsync(bob, id, 10, ct)).Error!.Kind);
        Assert.Equal(DeploymentStatus.Pending, (await service.GetAsync(alice, id, ct)).Value.Deployment.Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Create_NameTakenInProject_Is409(DatabaseProvider provider)
    {
        await using var harness = await DeploymentsHarness.CreateAsync(provider);
        var (alice, project) = await harness.CreateUserWithProjectAsync("alice", UserTier.Pro);
        Assert.True((await harness.CreateAsync(alice, project, Web())).IsSuccess);

        var again = await harness.CreateAsync(alice, project, Web());

        Assert.Equal("deployment-name-taken", again.Error!.Code);
        Assert.Equal("Name", Assert.Single(again.Error.Fields!).Key);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Tiers_FreeLimitsRefusedProAllowed(DatabaseProvider provider)
    {
        await using var harness = await DeploymentsHarness.CreateAsync(provider);
        var (free, freeProject) = await harness.CreateUserWithProjectAsync("free");
        var (pro, proProject) = await harness.CreateUserWithProjectAsync("pro", UserTier.Pro);
        var big = Web() with { Replicas = 5, Resources = new ResourcesInput(2000, 1024) };

        var refused = await harness.CreateAsync(free, freeProject, big);
        var allowed = await harness.CreateAsync(pro, proProject, big);

        Assert.Equal(ErrorKind.Forbidden, refused.Error!.Kind);
        Assert.Equal("tier-limit", refused.Error.Code);
        Assert.Equal(["Replicas", "Resources.CpuMillicores", "Resources.MemoryMb"], refused.Error.Fields!.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("at most 2 replicas", refused.Error.Fields["Replicas"][0], StringComparison.Ordinal);
        Assert.True(allowed.IsSuccess);

        // Free: at most 3 live deployments.
        foreach (var name in new[] { "a", "b", "c" })
        {
            Assert.True((await harness.CreateAsync(free, freeProject, Web(name))).IsSuccess);
        }

        var fourth = await harness.CreateAsync(free, freeProject, Web("d"));
        Assert.Equal("tier-limit", fourth.Error!.Code);
        Assert.Contains("at most 3", fourth.Error.Message, StringComparison.Ordinal);
        var a = (await harness.WithServiceAsync<Result<IReadOnlyList<DeploymentView>>, DeploymentService>(s => s.ListAsync(free, freeProject, CancellationToken.None))).Value.First(v => v.Deployment.Name == "a");
        var scaleOver = await harness.WithServiceAsync<Result<DeploymentView>, DeploymentService>(s => s.ScaleAsync(free, a.Deployment.Id, 3, CancellationToken.None));
        Assert.Equal("tier-limit", scaleOver.Error!.Code);
        Assert.Equal("Replicas", Assert.Single(scaleOver.Error.Fields!).Key);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Tiers_AdminOnTheFreeTier_IsExemptFromTierLimits(DatabaseProvider provider)
    {
        await using var harness = await DeploymentsHarness.CreateAsync(provider);
        var (admin, project) = await harness.CreateUserWithProjectAsync("root");
        await using (var db = harness.Database.CreateContext())
        {
            (await db.Users.SingleAsync(u => u.Id == admin)).Role = UserRole.Admin;
            await db.SaveChangesAsync();
        }

        var big = await harness.CreateAsync(admin, project, Web() with { Replicas = 5, Resources = new ResourcesInput(2000, 1024) });
        Assert.True(big.IsSuccess, big.Error?.Code);
        foreach (var name in new[] { "a", "b", "c" })
        {
            Assert.True((await harness.CreateAsync(admin, project, Web(name))).IsSuccess);
        }

        var scaled = await harness.WithServiceAsync<Result<DeploymentView>, DeploymentService>(s => s.ScaleAsync(admin, big.Value.Deployment.Id, 12, CancellationToken.None));
        Assert.True(scaled.IsSuccess, scaled.Error?.Code);
    }

    public static TheoryData<string, NewDeployment> InvalidRequests => new()
    {
        { "Name", new NewDeployment("Web", Image: "nginx") },
        { "Name", new NewDeployment("-web", Image: "nginx") },
        { "Name", new NewDeployment(new string('a', 60), Image: "nginx") },
        { "Name", new NewDeployment(null, Image: "nginx") },
        { "Image", new NewDeployment("web") },
        { "Command", new NewDeployment("web", Image: "nginx", Command: []) },
        { "Image", new NewDeployment("web", Image: "Nginx:latest") },
        { "Command", new NewDeployment("web", Command: []) },
        { "Command", new NewDeployment("web", Command: [.. Enumerable.Repeat("x", 65)]) },
        { "Command[1]", new NewDeployment("web", Command: ["sh", new string('x', 4097)]) },
        { "Port", new NewDeployment("web", Image: "nginx", Port: 0) },
        { "Port", new NewDeployment("web", Image: "nginx", Port: 65536) },
        { "Name", new NewDeployment("web\n", Image: "nginx") },
        { "Env['A\n']", new NewDeployment("web", Image: "nginx", Env: new Dictionary<string, string> { ["A\n"] = "x" }) },
        { "Env['1BAD']", new NewDeployment("web", Image: "nginx", Env: new Dictionary<string, string> { ["1BAD"] = "x" }) },
        { "Env['PORT']", new NewDeployment("web", Image: "nginx", Env: new Dictionary<string, string> { ["PORT"] = "1" }) },
        { "Env['PODDLE_X']", new NewDeployment("web", Image: "nginx", Env: new Dictionary<string, string> { ["PODDLE_X"] = "1" }) },
        { "Env['BIG']", new NewDeployment("web", Image: "nginx", Env: new Dictionary<string, string> { ["BIG"] = new string('x', 32 * 1024 + 1) }) },
        { "Env", new NewDeployment("web", Image: "nginx", Env: Enumerable.Range(0, 101).ToDictionary(i => $"V{i}", i => "x")) },
        { "Secrets", new NewDeployment("web", Image: "nginx", Secrets: new Dictionary<string, string> { ["bad-name"] = "x" }) },
        { "Secrets", new NewDeployment("web", Image: "nginx", Env: new Dictionary<string, string> { ["K"] = "a" }, Secrets: new Dictionary<string, string> { ["K"] = "b" }) },
        { "Resources.CpuMillicores", new NewDeployment("web", Image: "nginx", Resources: new ResourcesInput(CpuMillicores: 5)) },
        { "Resources.MemoryMb", new NewDeployment("web", Image: "nginx", Resources: new ResourcesInput(MemoryMb: 8)) },
        { "Replicas", new NewDeployment("web", Image: "nginx", Replicas: -1) },
        { "HealthCheck.Type", new NewDeployment("web", Image: "nginx", HealthCheck: new HealthCheckInput("grpc")) },
        { "HealthCheck.Path", new NewDeployment("web", Image: "nginx", HealthCheck: new HealthCheckInput("http", Path: "healthz")) },
        { "HealthCheck.PeriodSeconds", new NewDeployment("web", Image: "nginx", HealthCheck: new HealthCheckInput("tcp", PeriodSeconds: 301)) },
        { "HealthCheck.TimeoutSeconds", new NewDeployment("web", Image: "nginx", HealthCheck: new HealthCheckInput("tcp", TimeoutSeconds: 0)) },
        { "HealthCheck.FailureThreshold", new NewDeployment("web", Image: "nginx", HealthCheck: new HealthCheckInput("tcp", FailureThreshold: 31)) },
        { "HealthCheck.InitialDelaySeconds", new NewDeployment("web", Image: "nginx", HealthCheck: new HealthCheckInput("tcp", InitialDelaySeconds: 3601)) },
        { "HealthCheck.Command", new NewDeployment("web", Image: "nginx", HealthCheck: new HealthCheckInput("command")) },
        { "HealthCheck.Port", new NewDeployment("web", Image: "nginx", HealthCheck: new HealthCheckInput("tcp", Port: 70000)) },
        { "Driver", new NewDeployment("web", Image: "nginx", Driver: "kubernetes") },
        { "Driver", new NewDeployment("web", Image: "nginx", Driver: "sandbox") },
        { "Driver", new NewDeployment("web", Command: ["python3", "app.py"], Driver: "docker") },
        { "SourceId", new NewDeployment("web", Command: ["python3", "app.py"], SourceId: Guid.NewGuid()) },
        { "SourceId", new NewDeployment("web", Image: "nginx", SourceId: Guid.NewGuid()) },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task Create_Invalid_NamesTheFieldAndStoresNothing(string field, NewDeployment request)
    {
        await using var harness = await DeploymentsHarness.CreateAsync(DatabaseProvider.Sqlite);
        var (alice, project) = await harness.CreateUserWithProjectAsync("alice", UserTier.Pro, project: "demo");

        var result = await harness.CreateAsync(alice, project, request);

        Assert.False(result.IsSuccess);
        Assert.Equal(ErrorKind.Validation, result.Error.Kind);
        Assert.Contains(field, result.Error.Fields!.Keys);
        await using var db = harness.Database.CreateContext();
        Assert.Equal(0, await db.Deployments.CountAsync());
        Assert.Equal(0, await db.DeploymentRevisions.CountAsync());
    }

    [Fact]
    public async Task Create_DefaultsDriverByKindAndHealthCheckDefaults()
    {
        await using var harness = await DeploymentsHarness.CreateAsync(DatabaseProvider.Sqlite);
        var (alice, project) = await harness.CreateUserWithProjectAsync("alice", UserTier.Pro);

        var command = await harness.CreateAsync(alice, project, new NewDeployment("api", Command: ["python3", "-m", "http.server"], HealthCheck: new HealthCheckInput("http")));

        Assert.Equal("sandbox", command.Value.Deployment.Driver);
        Assert.Equal(new HealthCheckSpec("http", "/", null, null, 10, 1, 3, 0), command.Value.Spec.HealthCheck);
    }

    [Fact]
    public async Task Validation_NeverEchoesSecretValuesOrInvalidSecretNames()
    {
        await using var harness = await DeploymentsHarness.CreateAsync(DatabaseProvider.Sqlite);
        var (alice, project) = await harness.CreateUserWithProjectAsync("alice");

        var result = await harness.CreateAsync(alice, project, new NewDeployment("web", Image: "nginx", Secrets: new Dictionary<string, string>
        {
            ["PODDLE_TOKEN"] = SecretValue,
            [SecretValue] = "pasted the value as the key",
            ["HUGE"] = SecretValue + new string('x', 40_000),
        }));

        var text = result.Error!.Message + string.Join(' ', result.Error.Fields!.Select(f => f.Key + " " + string.Join(' ', f.Value)));
        Assert.DoesNotContain(SecretValue, text, StringComparison.Ordinal);
        Assert.Contains("Secrets", result.Error.Fields!.Keys);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task ConcurrentChanges_EachSuccessHasItsOwnGenerationAndJob_OthersAre409(DatabaseProvider provider)
    {
        await using var harness = await DeploymentsHarness.CreateAsync(provider);
        var (alice, project) = await harness.CreateUserWithProjectAsync("alice", UserTier.Pro);
        var id = (await harness.CreateAsync(alice, project, Web())).Value.Deployment.Id;

        var results = await Task.WhenAll(Enumerable.Range(1, 8).Select(n => Task.Run(() =>
            harness.WithServiceAsync<Result<DeploymentView>, DeploymentService>(s => n % 2 == 0
                ? s.ScaleAsync(alice, id, n, CancellationToken.None)
                : s.UpdateAsync(alice, id, new DeploymentChanges(Env: new Dictionary<string, string?> { ["N"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture) }), CancellationToken.None)))));

        var succeeded = results.Where(r => r.IsSuccess).ToList();
        Assert.NotEmpty(succeeded);
        Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Equal("conflict", r.Error!.Code));
        await using var db = harness.Database.CreateContext();
        var deployment = await db.Deployments.SingleAsync();
        Assert.Equal(1 + succeeded.Count, deployment.Generation);
        Assert.Equal(1 + succeeded.Count, (await harness.ConvergeJobsAsync(id)).Count);
        Assert.Equal(
            [.. succeeded.Select(r => r.Value.Deployment.Generation).Order()],
            Enumerable.Range(2, succeeded.Count).Select(g => (long)g));
        var updatesSucceeded = results.Where((r, i) => r.IsSuccess && (i + 1) % 2 == 1).Count();
        var revisions = await db.DeploymentRevisions.Where(r => r.DeploymentId == id).Select(r => r.Number).ToListAsync();
        Assert.Equal(Enumerable.Range(1, 1 + updatesSucceeded), revisions.Order());
        Assert.Equal(1 + updatesSucceeded, deployment.CurrentRevision);
    }
}
