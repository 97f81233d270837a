using System.Collections.Concurrent;
using System.Text.Json;
using Poddle.Agent.Alerts;
using Poddle.Agent.Heartbeat;
using Poddle.Agent.Monitoring;
using Poddle.Agent.Tests.Support;
using Poddle.Contracts;

namespace Poddle.Agent.Tests.Monitoring;

/// <summary>The monitor loop with a scripted round, real HTTP webhooks and heartbeats, real files.</summary>
public sealed class AgentMonitorTests : IDisposable
{
    private static readonly WebhookDelivery Fast = new(10, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 16);
    private readonly ListLoggerProvider _logs = new();
    private readonly TestDirectory _directory = new();
    private readonly ConcurrentQueue<AgentHealthReport> _reports = new();
    private readonly AgentAppState _app = new("running", 4242, 1, 3, DateTimeOffset.UtcNow);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task RunRoundAsync_StateChanges_WriteReportsAndAlertWebhooksWithProblemAndRecovery()
    {
        await using var hook = WebhookListener.Start();
        using var http = new HttpClient();
        await using var webhooks = new WebhookDispatcher([new(hook.Url, WebhookFormat.Json)], http, Fast, _logs.For<WebhookDispatcher>(), TimeProvider.System);
        var round = new ScriptedHealthRound([("app", "healthy"), ("cpu", "healthy")], [("app", "critical"), ("cpu", "healthy")], [("app", "critical"), ("cpu", "healthy")], [("app", "healthy"), ("cpu", "healthy")]);
        var monitor = Monitor(round, webhooks: webhooks);

        for (var i = 0; i < 4; i++)
        {
            await monitor.RunRoundAsync(CancellationToken.None);
        }

        var requests = await hook.WaitForAsync(2, TimeSpan.FromSeconds(10));
        Assert.Equal(["healthy", "critical", "critical", "healthy"], _reports.Select(r => r.Status));
        Assert.All(round.AppStates, a => Assert.Equal(4242, a!.Pid));
        var kinds = requests.Select(r => JsonDocument.Parse(r.Body).RootElement).Select(j => (j.GetProperty("kind").GetString(), j.GetProperty("check").GetString())).ToList();
        Assert.Equal([("problem", "app"), ("recovery", "app")], kinds);
        Assert.Contains("ALERT [pod-1] CRITICAL app", _logs.Text, StringComparison.Ordinal);
        Assert.Contains("ALERT [pod-1] RECOVERED app", _logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ReportFile_IsWrittenAtomicallyEveryPeriod()
    {
        var path = _directory.File("health-report.json");
        var monitor = Monitor(new ScriptedHealthRound([("app", "healthy")], [("app", "degraded")]), writer: AgentMonitor.FileWriter(path), period: TimeSpan.FromMilliseconds(200));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1.1));

        await monitor.RunAsync(stop.Token);

        var report = JsonSerializer.Deserialize(File.ReadAllText(path), PoddleJsonContext.Default.AgentHealthReport)!;
        Assert.Equal("degraded", report.Status);
        Assert.Equal("running", report.App!.State);
        Assert.Empty(Directory.GetFiles(_directory.Path, "*.tmp"));
    }

    [Fact]
    public async Task RunAsync_HangingWebhookAndUnwritableReport_DoNotSlowTheRounds()
    {
        await using var hook = WebhookListener.Start();
        hook.Delay = TimeSpan.FromSeconds(30);
        using var http = new HttpClient();
        await using var webhooks = new WebhookDispatcher([new(hook.Url, WebhookFormat.Slack)], http, Fast, _logs.For<WebhookDispatcher>(), TimeProvider.System);
        var blocker = _directory.File("file");
        File.WriteAllText(blocker, "x");

        // Every round alternates critical/healthy, so every round raises an alert for the hanging webhook.
        var round = new ScriptedHealthRound(Enumerable.Range(0, 40).Select(i => new[] { ("app", i % 2 == 0 ? "critical" : "healthy") }).ToArray());
        var monitor = new AgentMonitor(round, () => _app, AgentMonitor.FileWriter(Path.Combine(blocker, "report.json")), new AlertPolicy(TimeSpan.Zero, TimeProvider.System), webhooks, null, TimeSpan.FromMilliseconds(100), _logs.For<AgentMonitor>(), TimeProvider.System);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        await monitor.RunAsync(stop.Token);

        // About 20 rounds at 100 ms (fewer on a loaded machine); a monitor waiting on the 30 s webhook would do 1.
        Assert.InRange(round.Rounds, 8, 22);
        Assert.Single(_logs.Lines, l => l.Contains("Health report not written", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunRoundAsync_RoundThatHangs_IsAbandonedAtItsTimeLimit()
    {
        // RunAsync gives each round the period, but at least AgentMonitor.MinRoundTime (15 s); the limit itself is this.
        var round = new ScriptedHealthRound([("app", "healthy")]) { Hang = true };
        var monitor = Monitor(round, period: TimeSpan.FromMilliseconds(200));

        await monitor.RunRoundAsync(CancellationToken.None, TimeSpan.FromMilliseconds(200));

        Assert.Equal(0, round.Rounds);
        Assert.Single(round.AppStates);
        Assert.Contains("did not finish within 0.2 s", _logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_WithHeartbeat_SendsEachReportToTheServer()
    {
        await using var server = WebhookListener.Start();
        using var http = new HttpClient();
        var heartbeat = new HeartbeatSender(new Uri($"http://127.0.0.1:{server.Port}"), "agent-token-1", http, _logs.For<HeartbeatSender>());
        var monitor = Monitor(new ScriptedHealthRound([("gpu0.utilization", "degraded")]), heartbeat: heartbeat, period: TimeSpan.FromMilliseconds(200));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1.1));

        await monitor.RunAsync(stop.Token);

        var requests = server.Requests.ToList();
        Assert.InRange(requests.Count, 4, 7);
        Assert.All(requests, r => Assert.Equal("Bearer agent-token-1", r.Authorization));
        var body = JsonSerializer.Deserialize(requests[0].Body, PoddleJsonContext.Default.AgentHeartbeatRequest)!;
        Assert.Equal("gpu0.utilization", body.Report!.Checks[0].Name);
    }

    private AgentMonitor Monitor(ScriptedHealthRound round, HealthReportSink? writer = null, WebhookDispatcher? webhooks = null, HeartbeatSender? heartbeat = null, TimeSpan? period = null) =>
        new(round, () => _app, writer ?? Capture, new AlertPolicy(TimeSpan.FromMinutes(5), TimeProvider.System), webhooks, heartbeat, period ?? TimeSpan.FromSeconds(30), _logs.For<AgentMonitor>(), TimeProvider.System);

    private Task Capture(AgentHealthReport report, CancellationToken cancellationToken)
    {
        _reports.Enqueue(report);
        return Task.CompletedTask;
    }
}
