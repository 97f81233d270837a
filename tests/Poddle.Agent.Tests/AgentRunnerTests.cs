using System.Collections.Concurrent;
using Poddle.Agent.Options;
using Poddle.Agent.Supervisor;
using Poddle.Agent.Tests.Support;
using Poddle.Agent.Tuning;
using Poddle.Contracts;

namespace Poddle.Agent.Tests;

/// <summary>The whole agent in process (no signal handlers): phases, exit codes, the health-round factory seam.</summary>
public sealed class AgentRunnerTests : IDisposable
{
    private readonly ListLoggerProvider _logs = new();
    private readonly TestDirectory _directory = new();
    private readonly ConcurrentQueue<AgentHealthReport> _reports = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task RunAsync_AppRunsAndExits_TunesWritesStatusRunsRoundsAndReturnsItsCode()
    {
        var round = new ScriptedHealthRound([("app", "healthy")]);
        var options = Options(["sh", "-c", "sleep 0.6; exit 5"]);

        var exit = await Runner(options, round).RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(5, exit);
        Assert.True(File.Exists(options.StatusFile));
        Assert.Contains("\"swappiness\"", File.ReadAllText(options.StatusFile), StringComparison.Ordinal);
        Assert.Equal("10", File.ReadAllText(Path.Combine(options.ProcSys, "vm/swappiness")).Trim());
        Assert.True(_reports.Count >= 2, $"{_reports.Count} reports");
        Assert.Contains(round.AppStates, a => a?.State == "running");
    }

    [Fact]
    public async Task RunAsync_ValidationFails_Returns78WithoutStartingTheApp()
    {
        var marker = _directory.File("started");
        var options = Options(["sh", "-c", $"touch {marker}"]);
        options = new AgentOptions
        {
            Command = options.Command,
            Restart = RestartPolicy.Never,
            SkipTuning = true,
            RequireFiles = [_directory.File("missing.conf")],
            ValidateCommand = "exit 4",
            ReportFile = options.ReportFile,
        };

        var exit = await Runner(options, new ScriptedHealthRound([("app", "healthy")])).RunAsync(CancellationToken.None);

        Assert.Equal(AgentRunner.ValidationFailed, exit);
        Assert.False(File.Exists(marker));
        Assert.Contains("missing.conf does not exist", _logs.Text, StringComparison.Ordinal);
        Assert.Contains("validate command `exit 4` failed with exit code 4", _logs.Text, StringComparison.Ordinal);
        Assert.Empty(_reports);
    }

    [Fact]
    public async Task RunAsync_Cancelled_StopsTheAppLikeSigterm()
    {
        var options = Options(["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"]);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1));

        var exit = await Runner(options, new ScriptedHealthRound([("app", "healthy")])).RunAsync(stop.Token).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(0, exit);
        Assert.Contains("SIGTERM received", _logs.Text, StringComparison.Ordinal);
    }

    private AgentRunner Runner(AgentOptions options, ScriptedHealthRound round)
    {
        var context = new AgentRunContext(options, new PodEnvironment("linux", "pod-1", "host-1"), new Dictionary<string, string> { ["PATH"] = Environment.GetEnvironmentVariable("PATH")! }, _logs, TimeProvider.System);
        return new AgentRunner(context, _ => round, new AgentRunnerHooks
        {
            HandleSignals = false,
            ReportWriter = (report, _) =>
            {
                _reports.Enqueue(report);
                return Task.CompletedTask;
            },
        });
    }

    private AgentOptions Options(IReadOnlyList<string> command)
    {
        var procSys = _directory.File("sys");
        Directory.CreateDirectory(Path.Combine(procSys, "vm"));
        File.WriteAllText(Path.Combine(procSys, "vm/swappiness"), "60\n");
        return new AgentOptions
        {
            Command = command,
            Restart = RestartPolicy.Never,
            Period = TimeSpan.FromMilliseconds(200),
            ProcSys = procSys,
            NvidiaSmi = "no-such-nvidia-smi",
            OpenFiles = 1024,
            StatusFile = _directory.File("status.json"),
            ReportFile = _directory.File("report.json"),
        };
    }
}
