using System.Text.Json;
using Poddle.Agent.Heartbeat;
using Poddle.Agent.Tests.Support;
using Poddle.Contracts;

namespace Poddle.Agent.Tests.Heartbeat;

public sealed class HeartbeatSenderTests : IDisposable
{
    private const string Token = "pat_agent_0123456789abcdef";
    private readonly ListLoggerProvider _logs = new();

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task SendAsync_PostsTheReportWithTheBearerToken()
    {
        await using var server = WebhookListener.Start();
        using var http = new HttpClient();
        var sender = new HeartbeatSender(new Uri($"http://127.0.0.1:{server.Port}/"), Token, http, _logs.For<HeartbeatSender>());

        Assert.True(await sender.SendAsync(Report(), TimeSpan.FromSeconds(5), CancellationToken.None));

        var request = Assert.Single(server.Requests);
        Assert.Equal(("POST", "/api/agents/heartbeat", "Bearer " + Token), (request.Method, request.Path, request.Authorization));
        var body = JsonSerializer.Deserialize(request.Body, PoddleJsonContext.Default.AgentHeartbeatRequest)!;
        Assert.Equal("critical", body.Report!.Status);
        Assert.Equal("pod-3", body.Report.PodId);
        Assert.False(string.IsNullOrEmpty(body.AgentVersion));
    }

    [Fact]
    public async Task SendAsync_ServerFailsOrIsDown_ReturnsFalseAndNeverLogsTheToken()
    {
        await using var server = WebhookListener.Start();
        server.Status = 500;
        using var http = new HttpClient();
        var failing = new HeartbeatSender(new Uri($"http://127.0.0.1:{server.Port}"), Token, http, _logs.For<HeartbeatSender>());
        var down = new HeartbeatSender(new Uri($"http://127.0.0.1:{WebhookListener.FreePort()}"), Token, http, _logs.For<HeartbeatSender>());

        Assert.False(await failing.SendAsync(Report(), TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.False(await down.SendAsync(Report(), TimeSpan.FromSeconds(5), CancellationToken.None));

        Assert.Contains("HTTP 500", _logs.Text, StringComparison.Ordinal);
        Assert.Equal(2, _logs.Lines.Count(l => l.Contains("Heartbeat", StringComparison.Ordinal)));
        Assert.DoesNotContain(Token, _logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_ServerHangs_GivesUpAtTheTimeout()
    {
        await using var server = WebhookListener.Start();
        server.Delay = TimeSpan.FromSeconds(10);
        using var http = new HttpClient();
        var sender = new HeartbeatSender(new Uri($"http://127.0.0.1:{server.Port}"), Token, http, _logs.For<HeartbeatSender>());

        var started = DateTime.UtcNow;
        Assert.False(await sender.SendAsync(Report(), TimeSpan.FromMilliseconds(500), CancellationToken.None));

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3));
        Assert.Contains("no answer within", _logs.Text, StringComparison.Ordinal);
    }

    private static AgentHealthReport Report() =>
        new("critical", DateTimeOffset.UtcNow, "pod-3", "kubernetes", "pod-3", [new AgentCheckResult("app", "critical", null, null, null, "HTTP 500")], new AgentAppState("running", 12, 0, null, DateTimeOffset.UtcNow));
}
