using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Agents;
using Poddle.Core.Persistence;
using Poddle.Server.Hosting;
using Poddle.Testing;

namespace Poddle.Server.Tests.Hosting;

/// <summary>The agent listener: the one port pods may open, serving the heartbeat and nothing else (docs/security.md).</summary>
public sealed class AgentListenerTests(SharedServers servers) : IClassFixture<SharedServers>
{
    [Theory]
    [InlineData("GET", "/healthz")]
    [InlineData("GET", "/metrics")]
    [InlineData("GET", "/api/admin/users")]
    [InlineData("POST", "/api/auth/login")]
    [InlineData("GET", "/api/agents/heartbeat")]
    [InlineData("GET", "/")]
    [InlineData("POST", "/v2/0190a0b2-7a6c-7c8e-9d3e-1a2b3c4d5e6f/run")]
    [InlineData("GET", "/v2/0190a0b2-7a6c-7c8e-9d3e-1a2b3c4d5e6f/status/0190a0b2-7a6c-7c8e-9d3e-1a2b3c4d5e6f")]
    [InlineData("GET", "/v2/0190a0b2-7a6c-7c8e-9d3e-1a2b3c4d5e6f/health")]
    [InlineData("GET", "/v2/not-a-pool/job-take/w1")]
    [InlineData("GET", "/v2/0190a0b2-7a6c-7c8e-9d3e-1a2b3c4d5e6f/job-take/w1/extra/more")]
    public async Task AgentListener_AnythingButTheHeartbeat_Is404(string method, string path)
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        using var agent = AgentClient(server);

        using var response = await agent.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("not-found", problem.RootElement.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("GET", "/v2/0190a0b2-7a6c-7c8e-9d3e-1a2b3c4d5e6f/job-take/w1?protocol=runpod&job_in_progress=0")]
    [InlineData("GET", "/v2/0190a0b2-7a6c-7c8e-9d3e-1a2b3c4d5e6f/job-take-batch/w1?batch_size=2")]
    [InlineData("POST", "/v2/0190a0b2-7a6c-7c8e-9d3e-1a2b3c4d5e6f/job-done/w1/0190a0b2-7a6c-7c8e-9d3e-1a2b3c4d5e6f?isStream=false")]
    [InlineData("POST", "/v2/0190a0b2-7a6c-7c8e-9d3e-1a2b3c4d5e6f/job-stream/w1/0190a0b2-7a6c-7c8e-9d3e-1a2b3c4d5e6f")]
    [InlineData("GET", "/v2/0190a0b2-7a6c-7c8e-9d3e-1a2b3c4d5e6f/ping/w1")]
    [InlineData("GET", "/v2/0190a0b2-7a6c-7c8e-9d3e-1a2b3c4d5e6f/job-stop/w1")]
    public async Task AgentListener_WorkerProtocol_ReachesTheEndpoints_WhichWantTheWorkersKey(string method, string path)
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        using var agent = AgentClient(server);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.TryAddWithoutValidation("Authorization", "pwk_not-a-key");
        if (method == "POST")
        {
            request.Content = new StringContent("{\"output\": 1}", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        }

        using var response = await agent.SendAsync(request);

        // The worker endpoint itself answers (401 pool-worker-key), not the listener's 404.
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task AgentListener_Heartbeat_ReachesTheEndpoint_AndTheMainPortStillServesEverything()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        using var agent = AgentClient(server);
        using var main = server.CreateClient();

        // No agent token: the heartbeat endpoint itself answers (401), not the listener's 404.
        using var heartbeat = await agent.PostAsJsonAsync("/api/agents/heartbeat", new { agentVersion = "test" });
        using var health = await main.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.Unauthorized, heartbeat.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.DoesNotContain(server.Addresses, a => a.EndsWith(":" + server.Services.GetRequiredService<AgentListener>().Port, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AgentServerAddress_WithTheListener_SendsPodsToItsPortOnLoopback()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        var port = server.Services.GetRequiredService<AgentListener>().Port;
        var sandbox = server.Services.GetServices<Poddle.Drivers.Abstractions.Pods.IPodDriver>().Single(d => d.Name == "sandbox");

        var url = await server.Services.GetRequiredService<AgentServerAddress>().ForAsync(sandbox, CancellationToken.None);

        Assert.Equal($"http://127.0.0.1:{port}", url);
    }

    [Fact]
    public void Resolve_NoPortConfigured_PicksOneOnceAndKeepsItInTheDataDirectory()
    {
        var dataDir = Directory.CreateTempSubdirectory("poddle-agent-port-").FullName;
        try
        {
            var first = AgentListener.Resolve(0, dataDir, ["http://127.0.0.1:8080"]);
            var again = AgentListener.Resolve(0, dataDir, ["http://127.0.0.1:8080"]);

            Assert.InRange(first.Port, 1, 65535);
            Assert.Equal(first.Port, again.Port);
            Assert.Equal(first.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(dataDir, AgentListener.PortFileName)));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public void Resolve_AConfiguredPortWins_AndTheServersOwnPortIsRefusedNamingTheKey()
    {
        var dataDir = Directory.CreateTempSubdirectory("poddle-agent-port-").FullName;
        try
        {
            Assert.Equal(9099, AgentListener.Resolve(9099, dataDir, ["http://localhost:8080"]).Port);

            var clash = Assert.Throws<StartupConfigurationException>(() => AgentListener.Resolve(8080, dataDir, ["http://localhost:8080"]));
            var range = Assert.Throws<StartupConfigurationException>(() => AgentListener.Resolve(70000, dataDir, ["http://localhost:8080"]));

            Assert.Contains("Agents:ListenPort", clash.Message, StringComparison.Ordinal);
            Assert.Contains("Agents:ListenPort", range.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static HttpClient AgentClient(TestServer server) =>
        new() { BaseAddress = new Uri($"http://127.0.0.1:{server.Services.GetRequiredService<AgentListener>().Port}") };
}
