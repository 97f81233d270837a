using System.Diagnostics;
using System.Text.Json;
using Poddle.Agent.Tests.Support;
using Poddle.Contracts;
using Poddle.Testing;

namespace Poddle.Cli.Tests.Agent;

/// <summary>
/// The real `poddle agent` process around a real app (test_app.py): start-up phases, restarts and back-off, signals,
/// the grace period, zombie reaping as PID 1, alerts to a local webhook listener, heartbeats.
/// </summary>
public sealed class AgentCommandTests : IDisposable
{
    private const int SigTerm = 15;
    private readonly string _directory = Directory.CreateTempSubdirectory("poddle-agent-e2e-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Agent_GracefulApp_TunesReportsAndForwardsSigtermThenExitsWithTheAppsCode()
    {
        await using var agent = Start(["--period", "300ms"], ["graceful"], new() { ["RUNPOD_POD_ID"] = "pod-e2e-1" });
        await WaitForFileAsync("ready");
        await WaitForFileAsync("report.json");
        var running = JsonSerializer.Deserialize(File.ReadAllText(Path("report.json")), PoddleJsonContext.Default.AgentHealthReport)!;

        agent.Signal(SigTerm);
        var exit = await agent.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.True(exit == 0, agent.Stderr);
        Assert.Equal("15", File.ReadAllText(Path("got-signal")).Trim());
        using var status = JsonDocument.Parse(File.ReadAllText(Path("status.json")));
        Assert.Equal("pod-e2e-1", status.RootElement.GetProperty("podId").GetString());
        Assert.Equal("runpod", status.RootElement.GetProperty("environment").GetString());
        var steps = status.RootElement.GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("result").GetString());
        Assert.Equal(["nofile", "somaxconn", "swappiness", "gpu-persistence"], steps.Keys);
        Assert.Equal("applied", steps["swappiness"]);
        Assert.Equal("skipped", steps["gpu-persistence"]);
        Assert.Equal("10", File.ReadAllText(Path("sys/vm/swappiness")).Trim());
        // The machine's checks (CPU, memory, disk) depend on the load of the test machine; the app's is this test's.
        Assert.Equal(("pod-e2e-1", "runpod"), (running.PodId, running.Environment));
        Assert.Contains(running.Checks.Single(c => c.Name == "app.process").Status, new[] { "healthy", "skipped" });
        Assert.Contains(running.Checks, c => c.Name == "cpu");
        Assert.Contains(running.Checks, c => c.Name == "memory");
        Assert.Contains(running.Checks, c => c.Name == "disk:/");
        Assert.Equal("skipped", running.Checks.Single(c => c.Name == "gpu").Status);
        Assert.True(running.App!.State is "running" or "starting", running.App.State);

        // The last round, after the app ended, says how.
        var last = JsonSerializer.Deserialize(File.ReadAllText(Path("report.json")), PoddleJsonContext.Default.AgentHealthReport)!;
        Assert.Equal(("stopped", 0), (last.App!.State, last.App.LastExitCode));
        Assert.Contains("SIGTERM received", agent.Stderr, StringComparison.Ordinal);
        Assert.Empty(agent.Stdout.Trim());
    }

    [Fact]
    public async Task Agent_HttpServerKilledBySigterm_ExitsWith143()
    {
        var port = WebhookListener.FreePort();
        await using var agent = Start([], ["serve", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await WaitForFileAsync("ready");
        using (var http = new HttpClient())
        {
            Assert.Equal("{\"status\":\"healthy\"}", await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/health")));
        }

        agent.Signal(SigTerm);

        Assert.Equal(128 + SigTerm, await agent.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Agent_AppAnswering500OrHanging_IsNotRestartedByTheSupervisor()
    {
        // Health is the health round's business; the supervisor restarts only an app that exits.
        var port = WebhookListener.FreePort();
        File.WriteAllText(Path("fail"), string.Empty);
        await using var agent = Start(["--period", "200ms", "--restart", "always"], ["serve", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await WaitForFileAsync("ready");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        using (var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health")))
        {
            Assert.Equal(500, (int)response.StatusCode);
        }

        File.WriteAllText(Path("hang"), string.Empty);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => http.GetAsync(new Uri($"http://127.0.0.1:{port}/health")));
        // A negative check, so a fixed window: five periods of a hanging app in which the supervisor must not restart it.
        await Task.Delay(1000);

        var report = JsonSerializer.Deserialize(File.ReadAllText(Path("report.json")), PoddleJsonContext.Default.AgentHealthReport)!;
        Assert.Equal(("running", 0), (report.App!.State, report.App.Restarts));
        Assert.Single(File.ReadAllLines(Path("ready")));
    }

    [Fact]
    public async Task Agent_HealthUrlFailingThenHangingThenHealthy_CriticalAfterThreeRoundsAlertedThenRecovered()
    {
        await using var webhook = WebhookListener.Start();
        var port = WebhookListener.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var agent = Start(
            ["--period", "300ms", "--health-url", $"http://127.0.0.1:{port}/health", "--health-body", "healthy", "--health-timeout", "500ms", "--webhook", webhook.Url.ToString()],
            ["serve", port]);
        await WaitForFileAsync("ready");
        await WaitUntilAsync(() => AppCheck()?.Status == "healthy", 30, "a healthy app check");

        // 500 from the app: degraded for two rounds, critical at the third; the supervisor does not restart it.
        File.WriteAllText(Path("fail"), string.Empty);
        await WaitUntilAsync(() => AppCheck()?.Status == "critical", 30, "a critical app check");
        Assert.Contains("500", AppCheck()!.Message, StringComparison.Ordinal);

        // Hanging: each attempt times out, which keeps it critical.
        File.WriteAllText(Path("hang"), string.Empty);
        File.Delete(Path("fail"));
        await WaitUntilAsync(() => AppCheck()?.Message?.Contains("no answer", StringComparison.Ordinal) == true, 30, "a timed-out app check");
        Assert.Equal("critical", AppCheck()!.Status);

        File.Delete(Path("hang"));
        await WaitUntilAsync(() => AppCheck()?.Status == "healthy", 30, "the app check recovering");
        await WaitUntilAsync(() => AppAlerts().Any(a => a.Kind == "recovery"), 30, "a recovery alert");

        var alerts = AppAlerts();
        Assert.Equal(("problem", "critical"), (alerts.Last(a => a.Kind == "problem").Kind, alerts.Last(a => a.Kind == "problem").Status));
        Assert.Equal(("recovery", "healthy"), (alerts[^1].Kind, alerts[^1].Status));
        var report = JsonSerializer.Deserialize(File.ReadAllText(Path("report.json")), PoddleJsonContext.Default.AgentHealthReport)!;
        Assert.Equal(0, report.App!.Restarts);

        List<(string? Kind, string? Status)> AppAlerts() => [.. webhook.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement)
            .Where(e => e.GetProperty("check").GetString() == "app")
            .Select(e => (e.GetProperty("kind").GetString(), e.GetProperty("status").GetString()))];
    }

    private AgentCheckResult? AppCheck()
    {
        try
        {
            var report = JsonSerializer.Deserialize(File.ReadAllText(Path("report.json")), PoddleJsonContext.Default.AgentHealthReport);
            return report?.Checks.FirstOrDefault(c => c.Name == "app");
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            return null;
        }
    }

    [Fact]
    public async Task Agent_AppIgnoresSigterm_ProcessGroupIsKilledAfterTheGracePeriod()
    {
        await using var agent = Start(["--grace-period", "1s"], ["ignore-term"]);
        await WaitForFileAsync("ready");
        var child = int.Parse(File.ReadAllText(Path("child")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var stopwatch = Stopwatch.StartNew();

        agent.Signal(SigTerm);
        var exit = await agent.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(128 + 9, exit);
        Assert.InRange(stopwatch.Elapsed.TotalSeconds, 0.9, 8);
        Assert.Contains("did not stop within the grace period", agent.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists($"/proc/{child}") && !File.ReadAllText($"/proc/{child}/stat").Contains(") Z", StringComparison.Ordinal), "the app's child must be killed with its group");
    }

    [Fact]
    public async Task Agent_AppExitsAtOnce_IsRestartedWithBackoffNotInABusyLoop()
    {
        await using var agent = Start(["--restart", "always", "--restart-delay", "200ms", "--restart-max-delay", "800ms"], ["exit-now", "1"]);
        // Until the back-off has reached its cap twice (0.2, 0.4, 0.8, 0.8 s): a busy loop would log no delays at all.
        await WaitUntilAsync(() => RestartDelays().Count >= 4, 30, "four restart delays logged");

        agent.Signal(SigTerm);
        var exit = await agent.WaitForExitAsync(TimeSpan.FromSeconds(20));

        // Delays of 0.2, 0.4, 0.8, 0.8 ... s plus python's start-up each time: a handful of starts, never hundreds.
        var starts = File.ReadAllLines(Path("starts")).Length;
        Assert.InRange(starts, 3, 15);
        var delays = RestartDelays();
        Assert.Equal(new[] { 0.2, 0.4, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8 }.Take(delays.Count), delays);
        Assert.True(delays.Count >= 2, agent.Stderr);

        // Stopped during a back-off: the last exit code; during a run: python killed by the forwarded SIGTERM.
        Assert.True(exit is 1 or 128 + SigTerm, $"exit {exit}");

        List<double> RestartDelays() => [.. System.Text.RegularExpressions.Regex.Matches(agent.Stderr, @"Restarting the app in ([0-9.]+) s")
            .Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];
    }

    [Fact]
    public async Task Agent_CrashWithRestartNever_ExitsWithTheCrashCode()
    {
        await using var agent = Start(["--restart", "never"], ["crash", "0.3", "3"]);

        Assert.Equal(3, await agent.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Single(File.ReadAllLines(Path("starts")));
        Assert.Contains("Restart policy Never", agent.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_ValidationFails_Exits78WithTheReasonAndNeverStartsTheApp()
    {
        await using var agent = Start(["--require-file", Path("nginx.conf"), "--validate-command", "echo 'config test failed' >&2; exit 1"], ["exit-now", "0"]);

        Assert.Equal(78, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"required file {Path("nginx.conf")} does not exist", agent.Stderr, StringComparison.Ordinal);
        Assert.Contains("config test failed", agent.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path("starts")));
    }

    [Fact]
    public async Task Agent_BadOption_Exits2NamingIt()
    {
        await using var agent = AgentProcess.Start(_directory, ["--period", "often"], ["exit-now", "0"], new Dictionary<string, string> { ["PODDLE_AGENT_RESTART"] = "sometimes" });

        Assert.Equal(2, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("--period / PODDLE_AGENT_PERIOD: 'often' is not a duration", agent.Stderr, StringComparison.Ordinal);
        Assert.Contains("--restart / PODDLE_AGENT_RESTART: 'sometimes'", agent.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_UnwritableStatusAndReportPaths_AreSkippedAndTheAppRuns()
    {
        File.WriteAllText(Path("blocker"), "a file, not a directory");
        await using var agent = AgentProcess.Start(
            _directory,
            ["--status-file", Path("blocker/status.json"), "--report-file", Path("blocker/report.json"), "--proc-sys", Path("no-sys"), "--nvidia-smi", "none", "--period", "200ms", "--restart", "never"],
            ["crash", "1", "0"]);

        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("Tuning status file", agent.Stderr, StringComparison.Ordinal);
        Assert.Contains("Health report not written", agent.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_AppCrashesRepeatedly_WebhooksGetOneProblemAndOneRecoveryWithinTheThrottle()
    {
        await using var json = WebhookListener.Start();
        await using var slack = WebhookListener.Start();

        // Up 1 s, down 1.5 s, up 1 s, down 3 s ...: the first crash alerts and recovers; the second falls in the 1 h throttle.
        await using var agent = Start(
            ["--restart", "always", "--restart-delay", "1500ms", "--period", "200ms", "--alert-throttle", "1h", "--webhook", json.Url.ToString(), "--webhook", "slack=" + slack.Url],
            ["crash", "1", "2"]);
        await WaitUntilAsync(() => File.Exists(Path("starts")) && File.ReadAllLines(Path("starts")).Length >= 3, 20, "three starts");
        // The second crash, throttled, was 3 s before the third start: an alert it wrongly sent would be here by now.
        await WaitUntilAsync(() => AppProcessAlerts(json) >= 2 && AppProcessAlerts(slack) >= 2, 20, "both webhooks got the problem and the recovery");

        // Only the app's alerts: the machine's checks may alert too on a loaded test machine.
        var kinds = json.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement).Select(e => (e.GetProperty("kind").GetString(), e.GetProperty("check").GetString(), e.GetProperty("status").GetString()))
            .Where(k => k.Item2 == "app.process").ToList();
        Assert.Equal([("problem", "app.process", "critical"), ("recovery", "app.process", "healthy")], kinds);
        var texts = slack.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("text").GetString()).Where(t => t!.Contains("app.process", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, texts.Count);
        Assert.Contains("CRITICAL app.process", texts[0], StringComparison.Ordinal);
        Assert.Contains("RECOVERED app.process", texts[1], StringComparison.Ordinal);
        Assert.Contains("ALERT", agent.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-key", agent.Stderr, StringComparison.Ordinal);

        static int AppProcessAlerts(WebhookListener listener) => listener.Requests.Count(r => r.Body.Contains("app.process", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Agent_WebhookDownThenUp_TheAlertArrivesLaterAndMonitoringGoesOn()
    {
        var port = WebhookListener.FreePort();
        await using var agent = Start(["--restart", "never", "--period", "200ms", "--webhook", $"discord=http://127.0.0.1:{port}/hook/secret-key"], ["crash", "0.5", "9"]);

        // The app exits at 0.5 s: the alert goes to a webhook that is not listening; the agent waits to deliver it.
        await agent.WaitForLogAsync("retrying in", TimeSpan.FromSeconds(30));
        await using var discord = WebhookListener.Start(port);
        var exit = await agent.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(9, exit);
        await discord.WaitForAsync(1, TimeSpan.FromSeconds(5));
        // Only the app's alerts: the machine's checks (CPU on a loaded test machine) may alert too.
        var texts = discord.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("content").GetString()!).Where(t => t.Contains("app.process", StringComparison.Ordinal));
        Assert.Contains("CRITICAL app.process", Assert.Single(texts), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_ServerAndToken_SendsHeartbeatsWithTheBearerTokenAndNeverLogsIt()
    {
        const string Token = "pat_agent_e2e_ffffffffffff";
        await using var server = WebhookListener.Start();
        server.Status = 503; // The first heartbeats fail; later ones are still sent.
        await using var agent = Start(["--period", "200ms"], ["graceful"], new() { ["PODDLE_SERVER"] = $"http://127.0.0.1:{server.Port}", ["PODDLE_AGENT_TOKEN"] = Token });
        await server.WaitForAsync(2, TimeSpan.FromSeconds(30));
        server.Status = 200;
        await server.WaitForAsync(4, TimeSpan.FromSeconds(10));

        agent.Signal(SigTerm);
        await agent.WaitForExitAsync(TimeSpan.FromSeconds(20));

        var requests = server.Requests.ToList();
        Assert.True(requests.Count >= 4);
        Assert.All(requests, r => Assert.Equal(("POST", "/api/agents/heartbeat", "Bearer " + Token), (r.Method, r.Path, r.Authorization)));
        var states = requests.Select(r => JsonSerializer.Deserialize(r.Body, PoddleJsonContext.Default.AgentHeartbeatRequest)!.Report!.App!.State).ToList();
        Assert.Contains("running", states);
        Assert.Equal("stopped", states[^1]);
        Assert.Contains("Heartbeat to", agent.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, agent.Stderr, StringComparison.Ordinal);
    }

    [PidNamespaceFact]
    public async Task Agent_AsPid1_ReapsOrphansAndStillExitsWithTheAppsCode()
    {
        await using var agent = Start(["--restart", "never"], ["orphans", "5"], wrapper: ["unshare", "--pid", "--fork", "--mount-proc"]);

        var exit = await agent.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exit == 7, agent.Stderr);
        Assert.Equal(Enumerable.Repeat("1", 5), File.ReadAllLines(Path("orphan-parents")));
        Assert.Equal("agent=1 zombies=0", File.ReadAllText(Path("result")).Trim());
    }

    [PidNamespaceFact]
    public async Task Agent_AsPid1_SigtermFromOutsideIsForwarded()
    {
        await using var agent = Start([], ["graceful"], wrapper: ["unshare", "--pid", "--fork", "--mount-proc"]);
        var pid = await agent.WrappedAgentPidAsync();
        await WaitForFileAsync("ready");

        agent.Signal(SigTerm, pid);

        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal("15", File.ReadAllText(Path("got-signal")).Trim());
    }

    [Fact]
    public async Task Agent_Subreaper_ReapsOrphansWhenNotPid1()
    {
        await using var agent = Start(["--restart", "never", "--subreaper"], ["orphans", "3"]);

        Assert.Equal(7, await agent.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        Assert.Equal(Enumerable.Repeat(agent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), 3), File.ReadAllLines(Path("orphan-parents")));
        Assert.Equal($"agent={agent.Id} zombies=0", File.ReadAllText(Path("result")).Trim());
    }

    private AgentProcess Start(IReadOnlyList<string> agentArgs, IReadOnlyList<string> appArgs, Dictionary<string, string>? environment = null, IReadOnlyList<string>? wrapper = null)
    {
        // Tuning and files in the test's directory: the host's /proc/sys is never touched.
        var sys = Path("sys");
        Directory.CreateDirectory(System.IO.Path.Combine(sys, "vm"));
        Directory.CreateDirectory(System.IO.Path.Combine(sys, "net", "core"));
        File.WriteAllText(System.IO.Path.Combine(sys, "vm", "swappiness"), "60\n");
        File.WriteAllText(System.IO.Path.Combine(sys, "net", "core", "somaxconn"), "128\n");
        List<string> args = ["--proc-sys", sys, "--nvidia-smi", "no-such-nvidia-smi", "--status-file", Path("status.json"), "--report-file", Path("report.json"), .. agentArgs];
        return AgentProcess.Start(_directory, args, appArgs, environment, wrapper);
    }

    private string Path(string name) => System.IO.Path.Combine(_directory, name);

    private Task WaitForFileAsync(string name) => WaitUntilAsync(() => File.Exists(Path(name)), 30, name);

    private static Task WaitUntilAsync(Func<bool> condition, double seconds, string what) =>
        Poll.UntilAsync(condition, what, TimeSpan.FromSeconds(seconds));
}
