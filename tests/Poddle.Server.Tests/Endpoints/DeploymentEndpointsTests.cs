using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Poddle.Contracts;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

public sealed class DeploymentEndpointsTests
{
    private const string SecretValue = "Zq9-very-secret-value-7Yx";

    private static readonly CreateDeploymentRequest Web = new(
        "web",
        Image: "ghcr.io/example/web:1",
        Env: new Dictionary<string, string> { ["MODE"] = "prod" },
        Secrets: new Dictionary<string, string> { ["API_KEY"] = SecretValue });

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Create_Is202PendingWithUrlAndEnqueuesConverge(DatabaseProvider provider)
    {
        await using var server = await StartAsync(provider);
        var (alice, _) = await server.CreateUserAsync("alice");
        var project = await CreateProjectAsync(alice, "demo");

        var response = await alice.PostAsJsonAsync($"/api/projects/{project}/deployments", Web);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<DeploymentResponse>())!;
        Assert.Equal($"/api/deployments/{body.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal("pending", body.Status);
        Assert.Equal($"http://web-demo.localhost:{server.BaseAddress.Port}", body.Url);
        Assert.Equal(("docker", 1, 0, 1), (body.Driver, body.Replicas, body.ReadyReplicas, body.Revision));
        Assert.Equal(["API_KEY"], body.SecretKeys);
        Assert.Equal("prod", body.Env["MODE"]);
        Assert.Equal(new ResourcesDto(250, 256), body.Resources);

        await using var db = server.Database.CreateContext();
        var job = await db.Set<Job>().SingleAsync(j => j.Kind == DeploymentJobs.Converge);
        Assert.Equal($"deployment:{body.Id:N}:1", job.IdempotencyKey);

        var listed = await alice.GetFromJsonAsync<List<DeploymentResponse>>($"/api/projects/{project}/deployments");
        Assert.Equal(body.Id, Assert.Single(listed!).Id);
        var got = await alice.GetFromJsonAsync<DeploymentResponse>($"/api/deployments/{body.Id}");
        Assert.Equal(body.Url, got!.Url);
        var events = await alice.GetFromJsonAsync<List<DeploymentEventResponse>>($"/api/deployments/{body.Id}/events");
        Assert.Equal("Created", Assert.Single(events!).Type);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task UpdateRollbackScaleRestartDelete_FullLifecycle(DatabaseProvider provider)
    {
        await using var server = await StartAsync(provider);
        var (alice, _) = await server.CreateUserAsync("alice");
        var project = await CreateProjectAsync(alice, "demo");
        var id = (await (await alice.PostAsJsonAsync($"/api/projects/{project}/deployments", Web)).Content.ReadFromJsonAsync<DeploymentResponse>())!.Id;

        var patched = await alice.PatchAsJsonAsync($"/api/deployments/{id}", new UpdateDeploymentRequest(
            Image: "ghcr.io/example/web:2",
            Env: new Dictionary<string, string?> { ["MODE"] = null, ["LEVEL"] = "debug" },
            Secrets: new Dictionary<string, string?> { ["API_KEY"] = "rotated-value-2" }));
        Assert.Equal(HttpStatusCode.Accepted, patched.StatusCode);
        var v2 = (await patched.Content.ReadFromJsonAsync<DeploymentResponse>())!;
        Assert.Equal((2, "ghcr.io/example/web:2"), (v2.Revision, v2.Image));
        Assert.Equal(["LEVEL"], v2.Env.Keys);

        var rollback = await alice.PostAsJsonAsync($"/api/deployments/{id}/rollback", new RollbackDeploymentRequest(1));
        Assert.Equal(HttpStatusCode.Accepted, rollback.StatusCode);
        var v3 = (await rollback.Content.ReadFromJsonAsync<DeploymentResponse>())!;
        Assert.Equal((3, "ghcr.io/example/web:1"), (v3.Revision, v3.Image));
        var revisions = (await alice.GetFromJsonAsync<List<RevisionResponse>>($"/api/deployments/{id}/revisions"))!;
        Assert.Equal([(3, "rollback to 1", true), (2, "update", false), (1, "create", false)], revisions.Select(r => (r.Number, r.Cause, r.Current)));

        await using (var db = server.Database.CreateContext())
        {
            var protector = server.Services.GetRequiredService<SecretProtector>();
            var stored = await db.DeploymentRevisions.Where(r => r.DeploymentId == id).OrderBy(r => r.Number).ToListAsync();
            Assert.Equal(SecretValue, protector.Unprotect(stored[0].SecretsCiphertext)["API_KEY"]);
            Assert.Equal("rotated-value-2", protector.Unprotect(stored[1].SecretsCiphertext)["API_KEY"]);
            Assert.Equal(SecretValue, protector.Unprotect(stored[2].SecretsCiphertext)["API_KEY"]);
            Assert.Equal(3, (await db.Deployments.SingleAsync()).Generation);
        }

        var scaled = await alice.PatchAsJsonAsync($"/api/deployments/{id}/scale", new ScaleDeploymentRequest(2));
        Assert.Equal(HttpStatusCode.Accepted, scaled.StatusCode);
        Assert.Equal(2, (await scaled.Content.ReadFromJsonAsync<DeploymentResponse>())!.Replicas);
        Assert.Equal(HttpStatusCode.Accepted, (await alice.PostAsync($"/api/deployments/{id}/restart", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await alice.PostAsync($"/api/deployments/{id}/rollback", null)).StatusCode);
        await using (var db = server.Database.CreateContext())
        {
            var deployment = await db.Deployments.SingleAsync();
            Assert.Equal(6, deployment.Generation);
            Assert.NotNull(deployment.RestartRequestedAt);
            Assert.Equal(6, await db.Set<Job>().CountAsync(j => j.Kind == DeploymentJobs.Converge));
        }

        var deleted = await alice.DeleteAsync($"/api/deployments/{id}");
        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        Assert.Equal("deleting", (await deleted.Content.ReadFromJsonAsync<DeploymentResponse>())!.Status);
        var afterDelete = await alice.PatchAsJsonAsync($"/api/deployments/{id}/scale", new ScaleDeploymentRequest(1));
        Assert.Equal(HttpStatusCode.Conflict, afterDelete.StatusCode);
        Assert.Equal("deployment-deleted", (await afterDelete.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task AnotherUser_Gets404Everywhere(DatabaseProvider provider)
    {
        await using var server = await StartAsync(provider);
        var (alice, _) = await server.CreateUserAsync("alice");
        var (bob, _) = await server.CreateUserAsync("bob");
        var project = await CreateProjectAsync(alice, "demo");
        var id = (await (await alice.PostAsJsonAsync($"/api/projects/{project}/deployments", Web)).Content.ReadFromJsonAsync<DeploymentResponse>())!.Id;
        var domain = (await (await alice.PostAsJsonAsync($"/api/deployments/{id}/domains", new AddDomainRequest("www.example.com"))).Content.ReadFromJsonAsync<DomainResponse>())!.Id;

        foreach (var response in new[]
        {
            await bob.PostAsJsonAsync($"/api/projects/{project}/deployments", Web),
            await bob.GetAsync($"/api/projects/{project}/deployments"),
            await bob.GetAsync($"/api/deployments/{id}"),
            await bob.PatchAsJsonAsync($"/api/deployments/{id}", new UpdateDeploymentRequest(Port: 9000)),
            await bob.DeleteAsync($"/api/deployments/{id}"),
            await bob.GetAsync($"/api/deployments/{id}/revisions"),
            await bob.PostAsJsonAsync($"/api/deployments/{id}/rollback", new RollbackDeploymentRequest(1)),
            await bob.PatchAsJsonAsync($"/api/deployments/{id}/scale", new ScaleDeploymentRequest(0)),
            await bob.PostAsync($"/api/deployments/{id}/restart", null),
            await bob.GetAsync($"/api/deployments/{id}/events"),
            await bob.GetAsync($"/api/deployments/{id}/domains"),
            await bob.PostAsJsonAsync($"/api/deployments/{id}/domains", new AddDomainRequest("bob.example.com")),
            await bob.PostAsync($"/api/deployments/{id}/domains/{domain}/verify", null),
            await bob.DeleteAsync($"/api/deployments/{id}/domains/{domain}"),
            await bob.PostAsync($"/api/projects/{project}/sources", Gzip("x")),
        })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("not-found", (await response.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
        }

        var still = await alice.GetFromJsonAsync<DeploymentResponse>($"/api/deployments/{id}");
        Assert.Equal((1, 1, "pending"), (still!.Revision, still.Replicas, still.Status));
    }

    [Fact]
    public async Task Validation_Is400NamingEachField()
    {
        await using var server = await StartAsync(DatabaseProvider.Sqlite);
        var (alice, _) = await server.CreateUserAsync("alice");
        var project = await CreateProjectAsync(alice, "demo");

        var response = await alice.PostAsJsonAsync($"/api/projects/{project}/deployments", new CreateDeploymentRequest(
            "Bad_Name",
            Image: "Nginx:latest",
            Port: 70000,
            Env: new Dictionary<string, string> { ["PORT"] = "1", ["9x"] = "y" },
            HealthCheck: new HealthCheckDto("http", Path: "nope", PeriodSeconds: 0),
            Driver: "nomad"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemResponse>())!;
        Assert.Equal("urn:poddle:problem:validation", problem.Type);
        Assert.Equal(
            ["driver", "env.9x", "env.PORT", "healthCheck.path", "healthCheck.periodSeconds", "image", "name", "port"],
            problem.Errors!.Keys.Order(StringComparer.Ordinal));

        var wrongType = await alice.PostAsync($"/api/projects/{project}/deployments", new StringContent("""{"name":"web","replicas":"many"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Contains("replicas", (await wrongType.Content.ReadFromJsonAsync<ProblemResponse>())!.Errors!.Keys);

        var badLimit = await alice.GetAsync($"/api/deployments/{Guid.NewGuid()}/events?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        await using var db = server.Database.CreateContext();
        Assert.Equal(0, await db.Deployments.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Command_AStringRunsInTheShell_AnArrayAsGiven_OverHttp(DatabaseProvider provider)
    {
        await using var server = await StartAsync(provider);
        var (alice, _) = await server.CreateUserAsync("alice");
        var project = await CreateProjectAsync(alice, "demo");
        async Task<HttpResponseMessage> Send(HttpMethod method, string path, string json) =>
            await alice.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") });

        var created = await Send(HttpMethod.Post, $"/api/projects/{project}/deployments", """{"name":"web","command":"python3 -m http.server $PORT"}""");
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var web = (await created.Content.ReadFromJsonAsync<DeploymentResponse>())!;
        Assert.Equal(["/bin/sh", "-c", "python3 -m http.server $PORT"], web.Command);
        Assert.Equal("sandbox", web.Driver);

        var patched = await Send(HttpMethod.Patch, $"/api/deployments/{web.Id}", """{"command":"exec ./serve"}""");
        Assert.Equal(HttpStatusCode.Accepted, patched.StatusCode);
        Assert.Equal(["/bin/sh", "-c", "exec ./serve"], (await patched.Content.ReadFromJsonAsync<DeploymentResponse>())!.Command);
        var array = await Send(HttpMethod.Patch, $"/api/deployments/{web.Id}", """{"command":["python3","app.py"]}""");
        Assert.Equal(["python3", "app.py"], (await array.Content.ReadFromJsonAsync<DeploymentResponse>())!.Command);

        foreach (var bad in new[] { "\"\"", "\"   \"", "5", "{}", "[1]", "[]" })
        {
            var refused = await Send(HttpMethod.Post, $"/api/projects/{project}/deployments", $$"""{"name":"bad","command":{{bad}}}""");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var problem = (await refused.Content.ReadFromJsonAsync<ProblemResponse>())!;
            Assert.True(problem.Errors!.ContainsKey("command"), $"{bad}: {await refused.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task HealthCheckNone_IsAccepted_WithoutAPort_AndNamedWhenWrong()
    {
        await using var server = await StartAsync(DatabaseProvider.Sqlite);
        var (alice, _) = await server.CreateUserAsync("alice");
        var project = await CreateProjectAsync(alice, "demo");

        var worker = await alice.PostAsJsonAsync($"/api/projects/{project}/deployments", new CreateDeploymentRequest("worker", Command: ["python3", "worker.py"], HealthCheck: new HealthCheckDto("none")));
        var withPort = await alice.PostAsJsonAsync($"/api/projects/{project}/deployments", new CreateDeploymentRequest("bad", Command: ["x"], HealthCheck: new HealthCheckDto("none", Port: 9000)));
        var unknown = await alice.PostAsJsonAsync($"/api/projects/{project}/deployments", new CreateDeploymentRequest("bad", Command: ["x"], HealthCheck: new HealthCheckDto("exec")));

        Assert.Equal(HttpStatusCode.Accepted, worker.StatusCode);
        Assert.Equal("none", (await worker.Content.ReadFromJsonAsync<DeploymentResponse>())!.HealthCheck!.Type);
        Assert.Equal(HttpStatusCode.BadRequest, withPort.StatusCode);
        Assert.True((await withPort.Content.ReadFromJsonAsync<ProblemResponse>())!.Errors!.ContainsKey("healthCheck.port"));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("'none'", (await unknown.Content.ReadFromJsonAsync<ProblemResponse>())!.Errors!["healthCheck.type"][0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tiers_FreeRefused403UntilAdminMakesThemPro()
    {
        await using var server = await StartAsync(DatabaseProvider.Sqlite);
        var (alice, tokens) = await server.CreateUserAsync("alice");
        var (admin, _) = await server.SignInAdminAsync();
        var project = await CreateProjectAsync(alice, "demo");
        var big = Web with { Replicas = 4, Resources = new ResourcesDto(2000, 2048) };

        var refused = await alice.PostAsJsonAsync($"/api/projects/{project}/deployments", big);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var problem = (await refused.Content.ReadFromJsonAsync<ProblemResponse>())!;
        Assert.Equal("tier-limit", problem.Code);
        Assert.Equal(["replicas", "resources.cpuMillicores", "resources.memoryMb"], problem.Errors!.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("at most 2 replicas", problem.Errors["replicas"][0], StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsJsonAsync($"/api/admin/users/{tokens.User.Id}", new UpdateUserAccessRequest(Tier: UserTierName.Pro))).StatusCode);
        var allowed = await alice.PostAsJsonAsync($"/api/projects/{project}/deployments", big);
        Assert.Equal(HttpStatusCode.Accepted, allowed.StatusCode);
        var id = (await allowed.Content.ReadFromJsonAsync<DeploymentResponse>())!.Id;
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.PatchAsJsonAsync($"/api/deployments/{id}/scale", new ScaleDeploymentRequest(11))).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Secrets_NeverInResponsesEventsLogsOrErrors(DatabaseProvider provider)
    {
        var capture = new CapturingLoggerProvider();
        await using var server = await StartAsync(provider, capture.AddTo);
        var (alice, _) = await server.CreateUserAsync("alice");
        var project = await CreateProjectAsync(alice, "demo");
        const string rotated = "Rotated-secret-Q7w-value";
        var bodies = new List<string>();
        async Task<HttpResponseMessage> Keep(Task<HttpResponseMessage> call)
        {
            var response = await call;
            bodies.Add(await response.Content.ReadAsStringAsync());
            return response;
        }

        var created = await Keep(alice.PostAsJsonAsync($"/api/projects/{project}/deployments", Web));
        var id = (await created.Content.ReadFromJsonAsync<DeploymentResponse>())!.Id;
        await Keep(alice.PatchAsJsonAsync($"/api/deployments/{id}", new UpdateDeploymentRequest(Secrets: new Dictionary<string, string?> { ["API_KEY"] = rotated, ["OTHER"] = SecretValue })));
        await Keep(alice.PostAsJsonAsync($"/api/deployments/{id}/rollback", new RollbackDeploymentRequest(1)));
        await Keep(alice.GetAsync($"/api/deployments/{id}"));
        await Keep(alice.GetAsync($"/api/projects/{project}/deployments"));
        await Keep(alice.GetAsync($"/api/deployments/{id}/revisions"));
        await Keep(alice.GetAsync($"/api/deployments/{id}/events"));
        var invalid = await Keep(alice.PostAsJsonAsync($"/api/projects/{project}/deployments", Web with
        {
            Name = "other",
            Secrets = new Dictionary<string, string> { ["PODDLE_X"] = SecretValue, [SecretValue] = "v", ["BIG"] = SecretValue + new string('x', 40_000) },
        }));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var conflicting = await Keep(alice.PatchAsJsonAsync($"/api/deployments/{id}", new UpdateDeploymentRequest(Env: new Dictionary<string, string?> { ["API_KEY"] = SecretValue })));
        Assert.Equal(HttpStatusCode.BadRequest, conflicting.StatusCode);

        Assert.Contains(bodies, b => b.Contains("API_KEY", StringComparison.Ordinal));
        Assert.Contains(capture.Lines, l => l.Contains("created in project", StringComparison.Ordinal));
        foreach (var text in bodies.Concat(capture.Lines))
        {
            Assert.DoesNotContain(SecretValue, text, StringComparison.Ordinal);
            Assert.DoesNotContain(rotated, text, StringComparison.Ordinal);
        }

        await using var db = server.Database.CreateContext();
        foreach (var revision in await db.DeploymentRevisions.ToListAsync())
        {
            Assert.DoesNotContain(SecretValue, revision.SpecJson, StringComparison.Ordinal);
            var raw = Encoding.Latin1.GetString(revision.SecretsCiphertext ?? []);
            Assert.DoesNotContain(SecretValue, raw, StringComparison.Ordinal);
            Assert.DoesNotContain(rotated, raw, StringComparison.Ordinal);
        }

        Assert.All(await db.DeploymentEvents.ToListAsync(), e => Assert.DoesNotContain(SecretValue, e.Message + e.Reason, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RegistryPassword_WriteOnly_NeverInResponsesEventsLogsOrErrors(DatabaseProvider provider)
    {
        var capture = new CapturingLoggerProvider();
        await using var server = await StartAsync(provider, capture.AddTo);
        var (alice, _) = await server.CreateUserAsync("alice");
        var project = await CreateProjectAsync(alice, "demo");
        const string password = "Registry-pw-K4x-7731";
        const string rotated = "Registry-pw-rotated-Q2";
        var bodies = new List<string>();
        async Task<HttpResponseMessage> Keep(Task<HttpResponseMessage> call)
        {
            var response = await call;
            bodies.Add(await response.Content.ReadAsStringAsync());
            return response;
        }

        var created = await Keep(alice.PostAsJsonAsync($"/api/projects/{project}/deployments", Web with
        {
            Command = ["web", "--serve"],
            Security = new SecurityDto(ReadOnlyRootFilesystem: true, User: "1000", Capabilities: ["NET_BIND_SERVICE"]),
            RegistryAuth = new RegistryAuthDto("ghcr.io", "alice", password),
        }));
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var body = (await created.Content.ReadFromJsonAsync<DeploymentResponse>())!;
        Assert.Equal(new RegistryAuthResponse("ghcr.io", "alice"), body.RegistryAuth);
        Assert.Equal((true, false, "1000"), (body.Security!.ReadOnlyRootFilesystem, body.Security.RunAsNonRoot, body.Security.User));
        Assert.Equal(["NET_BIND_SERVICE"], body.Security.Capabilities);
        Assert.Equal(["web", "--serve"], body.Command);
        var id = body.Id;
        await Keep(alice.PatchAsJsonAsync($"/api/deployments/{id}", new UpdateDeploymentRequest { RegistryAuth = new RegistryAuthDto("ghcr.io", "alice", rotated) }));
        await Keep(alice.PatchAsJsonAsync($"/api/deployments/{id}", new UpdateDeploymentRequest(Port: 9000)));
        await Keep(alice.PostAsJsonAsync($"/api/deployments/{id}/rollback", new RollbackDeploymentRequest(1)));
        await Keep(alice.GetAsync($"/api/deployments/{id}"));
        await Keep(alice.GetAsync($"/api/projects/{project}/deployments"));
        await Keep(alice.GetAsync($"/api/deployments/{id}/revisions"));
        await Keep(alice.GetAsync($"/api/deployments/{id}/events"));
        var wrongRegistry = await Keep(alice.PostAsJsonAsync($"/api/projects/{project}/deployments", Web with
        {
            Name = "other",
            RegistryAuth = new RegistryAuthDto("registry.example.com", password, password),
        }));
        Assert.Equal(HttpStatusCode.BadRequest, wrongRegistry.StatusCode);
        Assert.Equal(["registryAuth.server"], (await wrongRegistry.Content.ReadFromJsonAsync<ProblemResponse>())!.Errors!.Keys);
        var sandbox = await Keep(alice.PostAsJsonAsync($"/api/projects/{project}/deployments", new CreateDeploymentRequest(
            "api", Command: ["python3", "app.py"], HealthCheck: new HealthCheckDto("command", Command: ["true"])) { Security = new SecurityDto(User: "1000") }));
        Assert.Equal(HttpStatusCode.BadRequest, sandbox.StatusCode);
        Assert.Equal(["healthCheck.type", "security.user"], (await sandbox.Content.ReadFromJsonAsync<ProblemResponse>())!.Errors!.Keys.Order(StringComparer.Ordinal));

        Assert.Contains(bodies, b => b.Contains("\"registryAuth\":{\"server\":\"ghcr.io\",\"username\":\"alice\"}", StringComparison.Ordinal));
        foreach (var text in bodies.Concat(capture.Lines))
        {
            Assert.DoesNotContain(password, text, StringComparison.Ordinal);
            Assert.DoesNotContain(rotated, text, StringComparison.Ordinal);
        }

        await using var db = server.Database.CreateContext();
        foreach (var revision in await db.DeploymentRevisions.ToListAsync())
        {
            Assert.DoesNotContain(password, revision.SpecJson, StringComparison.Ordinal);
            Assert.DoesNotContain(rotated, revision.SpecJson, StringComparison.Ordinal);
        }

        Assert.All(await db.DeploymentEvents.ToListAsync(), e => Assert.DoesNotContain(password, e.Message + e.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sources_UploadThenDeployWithIt_AndBadUploadsRefused()
    {
        await using var server = await StartAsync(DatabaseProvider.Sqlite, settings: new Dictionary<string, string?> { ["Deployments:MaxSourceBytes"] = "3145728" });
        var (alice, _) = await server.CreateUserAsync("alice");
        var project = await CreateProjectAsync(alice, "demo");
        // Over the server's 1 MiB body limit for JSON: the upload route has its own, Deployments:MaxSourceBytes (3 MiB here).
        var noise = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(1536 * 1024));
        var archive = TarGz(("app.py", "print('hello')\n"), ("static/index.html", "<h1>hi</h1>"), ("static/noise.txt", noise));
        Assert.True(archive.Length > 1024 * 1024);

        var uploaded = await alice.PostAsync($"/api/projects/{project}/sources", Body(archive, "application/gzip"));

        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        var bundle = (await uploaded.Content.ReadFromJsonAsync<SourceBundleResponse>())!;
        Assert.Equal(archive.Length, bundle.SizeBytes);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(archive)), bundle.Sha256);
        var directory = await server.Services.GetRequiredService<SourceBundleStore>().PrepareDirectoryAsync(bundle.Id, CancellationToken.None);
        Assert.Equal("print('hello')\n", await File.ReadAllTextAsync(Path.Combine(directory, "app.py")));

        var deployed = await alice.PostAsJsonAsync($"/api/projects/{project}/deployments", new CreateDeploymentRequest("api", Command: ["python3", "app.py"], SourceId: bundle.Id));
        Assert.Equal(HttpStatusCode.Accepted, deployed.StatusCode);
        var deployment = (await deployed.Content.ReadFromJsonAsync<DeploymentResponse>())!;
        Assert.Equal(("sandbox", bundle.Id), (deployment.Driver, deployment.SourceId));

        var (bob, _) = await server.CreateUserAsync("bob");
        var bobProject = await CreateProjectAsync(bob, "mine");
        var stolen = await bob.PostAsJsonAsync($"/api/projects/{bobProject}/deployments", new CreateDeploymentRequest("api", Command: ["python3", "app.py"], SourceId: bundle.Id));
        Assert.Equal(HttpStatusCode.BadRequest, stolen.StatusCode);
        Assert.Contains("sourceId", (await stolen.Content.ReadFromJsonAsync<ProblemResponse>())!.Errors!.Keys);

        // As curl does for large bodies: Expect: 100-continue, so the 413 (decided from Content-Length) arrives before
        // the body is sent, instead of racing the client's writes against the closed connection (a broken pipe).
        using var tooBigRequest = new HttpRequestMessage(HttpMethod.Post, $"/api/projects/{project}/sources")
        {
            Content = Body(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 10), "application/octet-stream"),
        };
        tooBigRequest.Headers.ExpectContinue = true;
        var tooBig = await alice.SendAsync(tooBigRequest);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Contains("3145728", (await tooBig.Content.ReadFromJsonAsync<ProblemResponse>())!.Detail, StringComparison.Ordinal);

        var escaping = await alice.PostAsync($"/api/projects/{project}/sources", Body(TarGz(("../escape.txt", "x")), "application/gzip"));
        Assert.Equal(HttpStatusCode.BadRequest, escaping.StatusCode);
        Assert.Contains("body", (await escaping.Content.ReadFromJsonAsync<ProblemResponse>())!.Errors!.Keys);

        // An entry whose name the file system cannot hold (300 characters in one component) is a 400 naming it, not a 500.
        var longName = new string('n', 300) + ".py";
        var tooLong = await alice.PostAsync($"/api/projects/{project}/sources", Body(TarGz((longName, "x")), "application/gzip"));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        var tooLongProblem = (await tooLong.Content.ReadFromJsonAsync<ProblemResponse>())!;
        Assert.Equal("validation", tooLongProblem.Code);
        Assert.Contains(longName[..100], Assert.Single(tooLongProblem.Errors!["body"]), StringComparison.Ordinal);

        var notAnArchive = await alice.PostAsync($"/api/projects/{project}/sources", Body(Encoding.UTF8.GetBytes("hello"), "application/gzip"));
        Assert.Equal(HttpStatusCode.BadRequest, notAnArchive.StatusCode);

        var json = await alice.PostAsync($"/api/projects/{project}/sources", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        await using var db = server.Database.CreateContext();
        Assert.Equal(1, await db.SourceBundles.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Domains_AddVerifyListDelete(DatabaseProvider provider)
    {
        var dns = new TxtRecords();
        await using var server = await StartAsync(provider, b => b.Services.AddSingleton<IDnsTxtResolver>(dns));
        var (alice, _) = await server.CreateUserAsync("alice");
        var (bob, _) = await server.CreateUserAsync("bob");
        var (admin, _) = await server.SignInAdminAsync();
        var project = await CreateProjectAsync(alice, "demo");
        var bobProject = await CreateProjectAsync(bob, "demo");
        var id = (await (await alice.PostAsJsonAsync($"/api/projects/{project}/deployments", Web)).Content.ReadFromJsonAsync<DeploymentResponse>())!.Id;
        var bobId = (await (await bob.PostAsJsonAsync($"/api/projects/{bobProject}/deployments", Web)).Content.ReadFromJsonAsync<DeploymentResponse>())!.Id;

        var added = await alice.PostAsJsonAsync($"/api/deployments/{id}/domains", new AddDomainRequest("WWW.Example.com"));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var domain = (await added.Content.ReadFromJsonAsync<DomainResponse>())!;
        Assert.Equal(("www.example.com", false, "_poddle-challenge.www.example.com"), (domain.Hostname, domain.Verified, domain.TxtRecordName));

        Assert.Equal(HttpStatusCode.Conflict, (await bob.PostAsJsonAsync($"/api/deployments/{bobId}/domains", new AddDomainRequest("www.example.com"))).StatusCode);
        var underBase = await alice.PostAsJsonAsync($"/api/deployments/{id}/domains", new AddDomainRequest("evil.localhost"));
        Assert.Equal(HttpStatusCode.BadRequest, underBase.StatusCode);
        Assert.Contains("hostname", (await underBase.Content.ReadFromJsonAsync<ProblemResponse>())!.Errors!.Keys);

        var notYet = await alice.PostAsync($"/api/deployments/{id}/domains/{domain.Id}/verify", null);
        Assert.Equal(HttpStatusCode.Conflict, notYet.StatusCode);
        Assert.Equal("domain-not-verified", (await notYet.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);

        dns.Records[domain.TxtRecordName] = domain.TxtRecordValue;
        var verified = await alice.PostAsync($"/api/deployments/{id}/domains/{domain.Id}/verify", null);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        Assert.Equal("dns", (await verified.Content.ReadFromJsonAsync<DomainResponse>())!.VerifiedBy);

        var bobDomain = (await (await bob.PostAsJsonAsync($"/api/deployments/{bobId}/domains", new AddDomainRequest("bob.example.org"))).Content.ReadFromJsonAsync<DomainResponse>())!;
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.PostAsync($"/api/admin/domains/{bobDomain.Id}/verify", null)).StatusCode);
        var byAdmin = await admin.PostAsync($"/api/admin/domains/{bobDomain.Id}/verify", null);
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        Assert.Equal("admin", (await byAdmin.Content.ReadFromJsonAsync<DomainResponse>())!.VerifiedBy);

        var listed = (await alice.GetFromJsonAsync<List<DomainResponse>>($"/api/deployments/{id}/domains"))!;
        Assert.True(Assert.Single(listed).Verified);
        Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync($"/api/deployments/{id}/domains/{domain.Id}")).StatusCode);
        Assert.Empty((await alice.GetFromJsonAsync<List<DomainResponse>>($"/api/deployments/{id}/domains"))!);
    }

    [Fact]
    public async Task DeleteProject_WithLiveDeployments_Is409AndKeepsThem()
    {
        await using var server = await StartAsync(DatabaseProvider.Sqlite);
        var (alice, _) = await server.CreateUserAsync("alice");
        var project = await CreateProjectAsync(alice, "demo");
        var created = await alice.PostAsJsonAsync($"/api/projects/{project}/deployments", new CreateDeploymentRequest("web", Image: "nginx:1.27"));
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);

        var refused = await alice.DeleteAsync($"/api/projects/{project}");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("project-has-deployments", (await refused.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
        Assert.Single((await alice.GetFromJsonAsync<List<DeploymentResponse>>($"/api/projects/{project}/deployments"))!);
    }

    /// <summary>
    /// A server whose job queue has no workers (Jobs:Workers=0), so no controller converges what the API stored: these
    /// tests check desired state, revisions, events and enqueued jobs exactly as the API left them.
    /// </summary>
    private static Task<TestServer> StartAsync(DatabaseProvider provider, Action<WebApplicationBuilder>? configure = null, IDictionary<string, string?>? settings = null) =>
        TestServer.StartAsync(provider, new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Jobs:Workers"] = "0" }, b =>
        {
            // The API needs only drivers the registry knows by name and capability: in-memory ones replace whatever the
            // host registered (the real sandbox and Docker drivers have the same names).
            b.Services.RemoveAll<IPodDriver>();
            b.Services.AddSingleton<IPodDriver>(NamedTestPodDriver.Sandbox());
            b.Services.AddSingleton<IPodDriver>(NamedTestPodDriver.Docker());
            configure?.Invoke(b);
        });

    private static async Task<Guid> CreateProjectAsync(HttpClient client, string name)
    {
        var response = await client.PostAsJsonAsync("/api/projects", new CreateProjectRequest(name));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ProjectResponse>())!.Id;
    }

    private static ByteArrayContent Body(byte[] bytes, string mediaType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    private static ByteArrayContent Gzip(string text) => Body(TarGz(("a.txt", text)), "application/gzip");

    private static byte[] TarGz(params (string Name, string Content)[] files)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        using (var writer = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var (name, content) in files)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
            }
        }

        return output.ToArray();
    }

    /// <summary>TXT records the test publishes (no DNS server runs here), one value per name.</summary>
    private sealed class TxtRecords : IDnsTxtResolver
    {
        public ConcurrentDictionary<string, string> Records { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Task<IReadOnlyList<string>> ResolveTxtAsync(string name, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>(Records.TryGetValue(name, out var value) ? [value] : []);
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

        /// <summary>Captures every log line of the server, down to Debug.</summary>
        public void AddTo(WebApplicationBuilder builder)
        {
            builder.Logging.AddProvider(this);
            builder.Logging.AddFilter<CapturingLoggerProvider>(null, LogLevel.Debug);
        }

        public void Dispose()
        {
        }

        private sealed class CapturingLogger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
                owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {properties} {exception}");
            }
        }
    }
}
