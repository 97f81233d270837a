using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Poddle.Agent.Alerts;
using Poddle.Agent.Heartbeat;
using Poddle.Agent.Monitoring;
using Poddle.Agent.Tests.Support;
using Poddle.Contracts;
using Poddle.Drivers.Abstractions.Webhooks;
using Poddle.Testing;

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
        var clock = new FakeTimeProvider();
        var writes = 0;
        HealthReportSink writer = async (report, cancellationToken) =>
        {
            await AgentMonitor.FileWriter(path)(report, cancellationToken);
            Interlocked.Increment(ref writes);
        };
        var monitor = Monitor(new ScriptedHealthRound([("app", "healthy")], [("app", "degraded")]), writer: writer, period: TimeSpan.FromMilliseconds(200), clock: clock);

        // Two rounds, one period apart; stopped while the monitor waits for the next period (as a stop usually is).
        await RunTicksAsync(monitor, clock, TimeSpan.FromMilliseconds(200), 1, i => Volatile.Read(ref writes) >= i + 1, "a report per round");

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
        var clock = new FakeTimeProvider();
        var monitor = new AgentMonitor(round, () => _app, AgentMonitor.FileWriter(Path.Combine(blocker, "report.json")), new AlertPolicy(TimeSpan.Zero, TimeProvider.System), webhooks, null, TimeSpan.FromMilliseconds(100), _logs.For<AgentMonitor>(), clock);

        // Two seconds of periods: each round must start without waiting for the 30 s webhook.
        await RunTicksAsync(monitor, clock, TimeSpan.FromMilliseconds(100), 19, i => round.Rounds >= i + 1, "a round per period");

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
        var clock = new FakeTimeProvider();
        var monitor = Monitor(new ScriptedHealthRound([("gpu0.utilization", "degraded")]), heartbeat: heartbeat, period: TimeSpan.FromMilliseconds(200), clock: clock);

        // 1.1 s of periods: a heartbeat per round, each done before the next round (which would otherwise skip its own).
        await RunTicksAsync(monitor, clock, TimeSpan.FromMilliseconds(200), 5, i => server.Requests.Count >= i + 1 && monitor.HeartbeatInFlight.IsCompleted, "a heartbeat per round");

        var requests = server.Requests.ToList();
        Assert.InRange(requests.Count, 4, 7);
        Assert.All(requests, r => Assert.Equal("Bearer agent-token-1", r.Authorization));
        var body = JsonSerializer.Deserialize(requests[0].Body, PoddleJsonContext.Default.AgentHeartbeatRequest)!;
        Assert.Equal("gpu0.utilization", body.Report!.Checks[0].Name);
    }

    /// <summary>
    /// Runs the monitor on <paramref name="clock"/> for its first round and <paramref name="ticks"/> more periods, each
    /// period advanced once round i's <paramref name="done"/> holds (i from 0), then stops it and waits for it to end.
    /// </summary>
    private static async Task RunTicksAsync(AgentMonitor monitor, FakeTimeProvider clock, TimeSpan period, int ticks, Func<int, bool> done, string what)
    {
        using var stop = new CancellationTokenSource();
        var run = monitor.RunAsync(stop.Token);
        for (var i = 0; i <= ticks; i++)
        {
            var round = i;
            await Poll.UntilAsync(() => run.IsCompleted || done(round), $"{what} (round {round + 1})");
            if (run.IsCompleted)
            {
                break;
            }

            if (i < ticks)
            {
                clock.Advance(period);
            }
        }

        await stop.CancelAsync();
        await run;
    }

    private AgentMonitor Monitor(ScriptedHealthRound round, HealthReportSink? writer = null, WebhookDispatcher? webhooks = null, HeartbeatSender? heartbeat = null, TimeSpan? period = null, TimeProvider? clock = null) =>
        new(round, () => _app, writer ?? Capture, new AlertPolicy(TimeSpan.FromMinutes(5), TimeProvider.System), webhooks, heartbeat, period ?? TimeSpan.FromSeconds(30), _logs.For<AgentMonitor>(), clock ?? TimeProvider.System);

    private Task Capture(AgentHealthReport report, CancellationToken cancellationToken)
    {
        _reports.Enqueue(report);
        return Task.CompletedTask;
    }
}
