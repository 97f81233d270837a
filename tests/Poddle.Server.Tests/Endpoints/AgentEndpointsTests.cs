using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Poddle.Contracts;
using Poddle.Core.Agents;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

/// <summary>
/// POST /api/agents/heartbeat and pods' health over real HTTP: the real server and controller start pods on a
/// <see cref="FakePodDriver"/>, which records each pod's spec (so the test holds the token a real agent would get).
/// </summary>
public sealed class AgentEndpointsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Heartbeat_WithThePodsToken_IsStoredAndShownToTheOwnerOnly(DatabaseProvider provider)
    {
        await using var f = await Fixture.StartAsync(provider);
        var spec = f.Driver.Started.Single();
        // The agent listener on loopback (a driver that names no host address of its own), not the API's address.
        Assert.Equal($"http://127.0.0.1:{f.Server.Services.GetRequiredService<Poddle.Server.Hosting.AgentListener>().Port}", spec.Env["PODDLE_SERVER"]);

        // As the agent does: PODDLE_SERVER + /api/agents/heartbeat with PODDLE_AGENT_TOKEN.
        using var agent = new HttpClient { BaseAddress = new Uri(spec.Env["PODDLE_SERVER"]) };
        agent.DefaultRequestHeaders.Authorization = new("Bearer", spec.Env["PODDLE_AGENT_TOKEN"]);
        var before = await f.Alice.GetFromJsonAsync<DeploymentResponse>($"/api/deployments/{f.DeploymentId}");
        Assert.Equal(("unknown", (DateTimeOffset?)null), (before!.ReplicaDetails.Single().Health!.Status, before.ReplicaDetails.Single().Health!.LastHeartbeatAt));

        var response = await agent.PostAsJsonAsync("/api/agents/heartbeat", Heartbeat("degraded"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(30, (await response.Content.ReadFromJsonAsync<AgentHeartbeatResponse>())!.IntervalSeconds);
        var replica = (await f.Alice.GetFromJsonAsync<DeploymentResponse>($"/api/deployments/{f.DeploymentId}"))!.ReplicaDetails.Single();
        Assert.Equal("degraded", replica.Health!.Status);
        Assert.NotNull(replica.Health.LastHeartbeatAt);
        Assert.Equal(["app", "cpu"], replica.Health.Report!.Checks.Select(c => c.Name));
        Assert.Equal(91.5, replica.Health.Report.Checks[1].Value);
        var listed = (await f.Alice.GetFromJsonAsync<List<DeploymentResponse>>($"/api/projects/{f.ProjectId}/deployments"))!;
        Assert.Equal("degraded", listed.Single().ReplicaDetails.Single().Health!.Status);

        var health = await f.Alice.GetFromJsonAsync<PodHealthResponse>($"/api/deployments/{f.DeploymentId}/replicas/{replica.Id}/health");
        Assert.Equal(("degraded", replica.Health.LastHeartbeatAt, "web-1"), (health!.Status, health.LastHeartbeatAt, health.Report!.PodId));
        Assert.Equal(HttpStatusCode.NotFound, (await f.Bob.GetAsync($"/api/deployments/{f.DeploymentId}/replicas/{replica.Id}/health")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await f.Alice.GetAsync($"/api/deployments/{f.DeploymentId}/replicas/{Guid.NewGuid()}/health")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await f.Alice.GetAsync($"/api/deployments/{Guid.NewGuid()}/replicas/{replica.Id}/health")).StatusCode);
    }

    [Fact]
    public async Task Heartbeat_RefusesEveryOtherCredential_AndOldPodsTokens()
    {
        await using var f = await Fixture.StartAsync(DatabaseProvider.Sqlite);
        var token = f.Driver.Started.Single().Env["PODDLE_AGENT_TOKEN"];
        var apiToken = (await (await f.Alice.PostAsJsonAsync("/api/tokens", new CreateApiTokenRequest("ci"))).Content.ReadFromJsonAsync<CreatedApiTokenResponse>())!.Token;

        foreach (var credential in new string?[] { null, f.AliceAccessToken, apiToken, "pagent_" + new string('A', 43), token + "x", token[..^1] })
        {
            using var client = f.Server.CreateClient(credential);
            var response = await client.PostAsJsonAsync("/api/agents/heartbeat", Heartbeat("healthy"));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(credential is null ? "unauthenticated" : "invalid-token", (await response.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
        }

        // A restart replaces the pod: the new pod's token works, the old one no longer does.
        Assert.Equal(HttpStatusCode.Accepted, (await f.Alice.PostAsync($"/api/deployments/{f.DeploymentId}/restart", null)).StatusCode);
        await Fixture.WaitAsync(async () => f.Driver.Started.Count == 2 && (await f.RunningReplicaIdsAsync()).Count == 1);
        var fresh = f.Driver.Started.Last().Env["PODDLE_AGENT_TOKEN"];
        Assert.NotEqual(token, fresh);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Post(f, token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Post(f, fresh)).StatusCode);

        // A deleted deployment's pods: 401 as well (the token no longer authenticates; see docs/deployments.md).
        Assert.Equal(HttpStatusCode.Accepted, (await f.Alice.DeleteAsync($"/api/deployments/{f.DeploymentId}")).StatusCode);
        await Fixture.WaitAsync(async () => (await f.RunningReplicaIdsAsync()).Count == 0);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Post(f, fresh)).StatusCode);
    }

    [Fact]
    public async Task AgentToken_Is401OnEveryOtherEndpoint()
    {
        await using var f = await Fixture.StartAsync(DatabaseProvider.Sqlite);
        var token = f.Driver.Started.Single().Env["PODDLE_AGENT_TOKEN"];
        var replicaId = (await f.RunningReplicaIdsAsync()).Single();
        using var agent = f.Server.CreateClient(token);

        foreach (var response in new[]
        {
            await agent.GetAsync("/api/users/me"),
            await agent.GetAsync("/api/projects"),
            await agent.GetAsync($"/api/projects/{f.ProjectId}/deployments"),
            await agent.GetAsync($"/api/deployments/{f.DeploymentId}"),
            await agent.GetAsync($"/api/deployments/{f.DeploymentId}/replicas/{replicaId}/health"),
            await agent.GetAsync($"/api/deployments/{f.DeploymentId}/events"),
            await agent.PostAsync($"/api/deployments/{f.DeploymentId}/restart", null),
            await agent.DeleteAsync($"/api/deployments/{f.DeploymentId}"),
            await agent.PostAsJsonAsync("/api/tokens", new CreateApiTokenRequest("steal")),
            await agent.GetAsync("/api/admin/users"),
        })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        // The scheme name is case-insensitive (RFC 9110): a lower-case "bearer" changes nothing.
        using var anonymous = f.Server.CreateClient();
        using var lowerCase = new HttpRequestMessage(HttpMethod.Get, $"/api/deployments/{f.DeploymentId}");
        lowerCase.Headers.TryAddWithoutValidation("Authorization", "bearer " + token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(lowerCase)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await Post(f, token)).StatusCode);
    }

    [Fact]
    public async Task Heartbeat_BadBody_Is400NamingTheField_UnknownCharsetIs415_AndTooLargeIs413()
    {
        await using var f = await Fixture.StartAsync(DatabaseProvider.Sqlite);
        using var agent = f.Server.CreateClient(f.Driver.Started.Single().Env["PODDLE_AGENT_TOKEN"]);
        var good = Heartbeat("healthy");
        var report = good.Report!;
        var cases = new (AgentHeartbeatRequest Request, string Field)[]
        {
            (good with { Report = null }, "report"),
            (good with { Report = report with { Status = "ok" } }, "report.status"),
            (good with { Report = report with { Checks = [.. Enumerable.Range(0, 65).Select(i => new AgentCheckResult($"c{i}", "healthy", 1, null, null, null))] } }, "report.checks"),
            (good with { Report = report with { Checks = [new AgentCheckResult("cpu", "fine", 1, null, null, null)] } }, "report.checks[0].status"),
            (good with { Report = report with { Checks = [new AgentCheckResult("", "healthy", 1, null, null, null)] } }, "report.checks[0].name"),
            (good with { Report = report with { Checks = [new AgentCheckResult("cpu", "healthy", 1, null, null, new string('m', 1001))] } }, "report.checks[0].message"),
            (good with { Report = report with { Hostname = new string('h', 256) } }, "report.hostname"),
            (good with { Report = report with { App = new AgentAppState("sleeping", null, 0, null, null) } }, "report.app.state"),
            (good with { AgentVersion = new string('v', 65) }, "agentVersion"),
        };
        foreach (var (request, field) in cases)
        {
            var response = await agent.PostAsJsonAsync("/api/agents/heartbeat", request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = (await response.Content.ReadFromJsonAsync<ProblemResponse>())!;
            Assert.True(problem.Errors!.ContainsKey(field), $"{field}: {await response.Content.ReadAsStringAsync()}");
        }

        using var bogus = new StringContent(System.Text.Json.JsonSerializer.Serialize(good, Poddle.Contracts.PoddleJsonContext.Default.AgentHeartbeatRequest), Encoding.UTF8);
        bogus.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/json; charset=bogus");
        var unknownCharset = await agent.PostAsync("/api/agents/heartbeat", bogus);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unknownCharset.StatusCode);
        Assert.Equal("unsupported-media-type", (await unknownCharset.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);

        using var huge = new StringContent("{\"agentVersion\":\"" + new string('x', 70_000) + "\"}", Encoding.UTF8, "application/json");
        var tooLarge = await agent.PostAsync("/api/agents/heartbeat", huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);

        var replicaId = (await f.RunningReplicaIdsAsync()).Single();
        var health = await f.Alice.GetFromJsonAsync<PodHealthResponse>($"/api/deployments/{f.DeploymentId}/replicas/{replicaId}/health");
        Assert.Equal("unknown", health!.Status);
    }

    [Fact]
    public async Task SilentPod_IsLost_ThenRecovers_WithEvents()
    {
        // A 1 s interval and 2 intervals of silence: lost within a few real seconds (the fake-clock version is in Core).
        await using var f = await Fixture.StartAsync(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["Agents:HeartbeatInterval"] = "00:00:01",
            ["Agents:LostAfterIntervals"] = "2",
        });
        var token = f.Driver.Started.Single().Env["PODDLE_AGENT_TOKEN"];
        var replicaId = (await f.RunningReplicaIdsAsync()).Single();
        var first = await Post(f, token);
        Assert.Equal(1, (await first.Content.ReadFromJsonAsync<AgentHeartbeatResponse>())!.IntervalSeconds);

        var url = $"/api/deployments/{f.DeploymentId}/replicas/{replicaId}/health";
        await Fixture.WaitAsync(async () => (await f.Alice.GetFromJsonAsync<PodHealthResponse>(url))!.Status == "lost");
        await Fixture.WaitAsync(async () => (await EventsAsync(f)).Any(e => e.Type == "AgentLost"));
        var lost = (await EventsAsync(f)).Single(e => e.Type == "AgentLost");
        Assert.Equal(("Warning", replicaId), (lost.Severity, lost.ReplicaId!.Value));

        Assert.Equal(HttpStatusCode.OK, (await Post(f, token, "healthy")).StatusCode);
        Assert.Equal("healthy", (await f.Alice.GetFromJsonAsync<PodHealthResponse>(url))!.Status);
        Assert.Contains(await EventsAsync(f), e => e.Type == "AgentRecovered" && e.ReplicaId == replicaId);
    }

    [Fact]
    public async Task Tokens_NeverInResponsesEventsOrLogs_NorInTheEnvListing()
    {
        var capture = new CapturingLoggerProvider();
        await using var f = await Fixture.StartAsync(DatabaseProvider.Sqlite, configure: b =>
        {
            b.Logging.AddProvider(capture);
            b.Logging.AddFilter<CapturingLoggerProvider>(null, LogLevel.Debug);
        });
        var token = f.Driver.Started.Single().Env["PODDLE_AGENT_TOKEN"];
        var replicaId = (await f.RunningReplicaIdsAsync()).Single();
        var bodies = new List<string>();
        async Task Keep(Task<HttpResponseMessage> call) => bodies.Add(await (await call).Content.ReadAsStringAsync());

        await Keep(Post(f, token));
        await Keep(Post(f, token + "x"));
        await Keep(Post(f, "pagent_" + token));
        using (var agent = f.Server.CreateClient(token))
        {
            await Keep(agent.GetAsync($"/api/deployments/{f.DeploymentId}"));
        }

        using (var wrongBody = f.Server.CreateClient(token))
        {
            await Keep(wrongBody.PostAsJsonAsync("/api/agents/heartbeat", Heartbeat("healthy") with { Report = Heartbeat("x").Report! with { Status = token } }));
        }

        await Keep(f.Alice.GetAsync($"/api/deployments/{f.DeploymentId}"));
        await Keep(f.Alice.GetAsync($"/api/projects/{f.ProjectId}/deployments"));
        await Keep(f.Alice.GetAsync($"/api/deployments/{f.DeploymentId}/events"));
        await Keep(f.Alice.GetAsync($"/api/deployments/{f.DeploymentId}/revisions"));
        await Keep(f.Alice.GetAsync($"/api/deployments/{f.DeploymentId}/replicas/{replicaId}/health"));

        var deployment = await f.Alice.GetFromJsonAsync<DeploymentResponse>($"/api/deployments/{f.DeploymentId}");
        Assert.DoesNotContain(deployment!.Env.Keys, k => k.StartsWith("PODDLE_", StringComparison.Ordinal));
        Assert.Contains(capture.Lines, l => l.Contains("AgentToken", StringComparison.Ordinal));
        var secret = token["pagent_".Length..];
        foreach (var text in bodies.Concat(capture.Lines))
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        await using var scope = f.Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        Assert.All(await db.DeploymentEvents.ToListAsync(), e => Assert.DoesNotContain(secret, e.Message + e.Reason, StringComparison.Ordinal));
        Assert.All(await db.Set<ReplicaAgent>().ToListAsync(), a => Assert.DoesNotContain(secret, a.TokenHash + a.ReportJson, StringComparison.Ordinal));
    }

    private static AgentHeartbeatRequest Heartbeat(string status) => new("0.1.0", new AgentHealthReport(
        status,
        DateTimeOffset.UtcNow,
        "web-1",
        "linux",
        "host-a",
        [
            new AgentCheckResult("app", "healthy", 12, 1000, "ms", null),
            new AgentCheckResult("cpu", status == "degraded" ? "degraded" : "healthy", 91.5, 80, "%", "above 80%"),
        ],
        new AgentAppState("running", 42, 0, null, DateTimeOffset.UtcNow)));

    private static async Task<HttpResponseMessage> Post(Fixture f, string token, string status = "healthy")
    {
        using var client = f.Server.CreateClient(token);
        return await client.PostAsJsonAsync("/api/agents/heartbeat", Heartbeat(status));
    }

    private static async Task<List<DeploymentEventResponse>> EventsAsync(Fixture f) =>
        (await f.Alice.GetFromJsonAsync<List<DeploymentEventResponse>>($"/api/deployments/{f.DeploymentId}/events"))!;

    private sealed class Fixture(TestServer server, FakePodDriver driver, HttpClient alice, string aliceAccessToken, HttpClient bob, Guid projectId, Guid deploymentId) : IAsyncDisposable
    {
        public TestServer Server { get; } = server;

        public FakePodDriver Driver { get; } = driver;

        public HttpClient Alice { get; } = alice;

        public string AliceAccessToken { get; } = aliceAccessToken;

        public HttpClient Bob { get; } = bob;

        public Guid ProjectId { get; } = projectId;

        public Guid DeploymentId { get; } = deploymentId;

        /// <summary>A server with a fake driver and alice's one-replica deployment on it, running.</summary>
        public static async Task<Fixture> StartAsync(DatabaseProvider provider, IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
        {
            var driver = new FakePodDriver(TimeProvider.System);
            var server = await TestServer.StartAsync(provider, settings, builder =>
            {
                builder.Services.AddSingleton<IPodDriver>(driver);
                configure?.Invoke(builder);
            });
            var (alice, tokens) = await server.CreateUserAsync("alice");
            var (bob, _) = await server.CreateUserAsync("bob");
            var project = (await (await alice.PostAsJsonAsync("/api/projects", new CreateProjectRequest("demo"))).Content.ReadFromJsonAsync<ProjectResponse>())!;
            var created = await alice.PostAsJsonAsync($"/api/projects/{project.Id}/deployments", new CreateDeploymentRequest(
                "web", Image: "web:1", Secrets: new Dictionary<string, string> { ["API_KEY"] = "not-the-agent-token" }, Driver: driver.Name));
            Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<DeploymentResponse>())!.Id;
            var fixture = new Fixture(server, driver, alice, tokens.AccessToken, bob, project.Id, id);
            await WaitAsync(async () => (await alice.GetFromJsonAsync<DeploymentResponse>($"/api/deployments/{id}"))!.Status == "running");
            return fixture;
        }

        public static Task WaitAsync(Func<Task<bool>> condition) => Poll.UntilAsync(condition, "the condition is met", Bound);

        public async Task<List<Guid>> RunningReplicaIdsAsync()
        {
            await using var scope = Server.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Replicas
                .Where(r => r.DeploymentId == DeploymentId && r.Phase == ReplicaPhase.Running)
                .Select(r => r.Id)
                .ToListAsync();
        }

        public async ValueTask DisposeAsync()
        {
            Alice.Dispose();
            Bob.Dispose();
            await Server.DisposeAsync();
            await Driver.DisposeAsync();
        }
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

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
