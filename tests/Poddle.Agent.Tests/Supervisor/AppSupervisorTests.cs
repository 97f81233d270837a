using System.Diagnostics;
using Poddle.Agent.Native;
using Poddle.Agent.Supervisor;
using Poddle.Agent.Tests.Support;
using Poddle.Testing;

namespace Poddle.Agent.Tests.Supervisor;

/// <summary>The supervisor around real processes (sh, sleep): exit codes, restart policies, back-off, signals, grace period.</summary>
public sealed class AppSupervisorTests : IDisposable
{
    private readonly ListLoggerProvider _logs = new();
    private readonly TestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("exit 0", 0)]
    [InlineData("exit 3", 3)]
    [InlineData("kill -SEGV $$", 128 + 11)]
    public async Task RunAsync_RestartNever_ExitsWithTheAppsCode(string script, int expected)
    {
        using var supervisor = Create(["sh", "-c", script], RestartPolicy.Never);

        var exit = await supervisor.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(expected, exit);
        Assert.Equal("exited", supervisor.State.State);
        Assert.Equal(0, supervisor.State.Restarts);
    }

    [Fact]
    public async Task RunAsync_OnFailure_RestartsAfterAFailureAndStopsAfterSuccess()
    {
        // Fails twice (a counter file), then succeeds: on-failure restarts twice and ends with 0.
        var counter = _directory.File("runs");
        using var supervisor = Create(["sh", "-c", $"echo x >> {counter}; [ $(wc -l < {counter}) -ge 3 ]"], RestartPolicy.OnFailure, TimeSpan.FromMilliseconds(50));

        var exit = await supervisor.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(0, exit);
        Assert.Equal(3, File.ReadAllLines(counter).Length);
        Assert.Equal(2, supervisor.State.Restarts);
    }

    [Fact]
    public async Task RunAsync_AppThatExitsAtOnce_IsRestartedWithGrowingDelaysNotInABusyLoop()
    {
        var counter = _directory.File("runs");
        using var supervisor = Create(["sh", "-c", $"date +%s.%N >> {counter}; exit 1"], RestartPolicy.Always, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(800));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));

        var exit = await supervisor.RunAsync(stop.Token).WaitAsync(TimeSpan.FromSeconds(20));

        // Starts at about 0, 0.1, 0.3, 0.7, 1.5, 2.3 s: a handful in 3 s, where a busy loop would start hundreds.
        var starts = File.ReadAllLines(counter).Select(double.Parse).ToList();
        Assert.InRange(starts.Count, 3, 8);
        var delays = System.Text.RegularExpressions.Regex.Matches(_logs.Text, @"Restarting the app in ([0-9.]+) s")
            .Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(new[] { 0.1, 0.2, 0.4, 0.8, 0.8, 0.8, 0.8, 0.8 }.Take(delays.Count), delays);
        var gaps = starts.Zip(starts.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps.Zip(delays), pair => Assert.True(pair.First >= pair.Second - 0.02, $"a start came {pair.First:0.###} s after the last, before its {pair.Second} s delay"));
        Assert.Equal(1, exit);
        Assert.Equal("stopped", supervisor.State.State);
    }

    [Fact]
    public async Task RequestStop_AppHandlesSigterm_SignalIsForwardedAndItsExitCodeReturned()
    {
        var ready = _directory.File("ready");
        using var supervisor = Create(["sh", "-c", $"trap 'exit 42' TERM; touch {ready}; while true; do sleep 0.1; done"], RestartPolicy.Always);
        var run = supervisor.RunAsync(CancellationToken.None);
        await WaitForFileAsync(ready);

        supervisor.RequestStop(LibC.SigTerm);

        Assert.Equal(42, await run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("stopped", supervisor.State.State);
    }

    [Fact]
    public async Task RequestStop_AppIgnoresSigterm_IsKilledWithItsProcessGroupAfterTheGracePeriod()
    {
        var ready = _directory.File("ready");
        var childPid = _directory.File("child");

        // The app ignores TERM and has a child (in its process group) that must die with it.
        using var supervisor = Create(["sh", "-c", $"trap '' TERM; sleep 300 & echo $! > {childPid}; touch {ready}; while true; do sleep 0.1; done"], RestartPolicy.Always, grace: TimeSpan.FromSeconds(1));
        var run = supervisor.RunAsync(CancellationToken.None);
        await WaitForFileAsync(ready);
        var child = int.Parse(File.ReadAllText(childPid).Trim());
        var stopwatch = Stopwatch.StartNew();

        supervisor.RequestStop(LibC.SigTerm);
        var exit = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(128 + 9, exit);
        Assert.InRange(stopwatch.Elapsed.TotalSeconds, 0.9, 5);
        await Poll.UntilAsync(() => !IsAlive(child), "the app's child is killed with its group", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task RunAsync_MissingProgram_Returns127WithoutStarting()
    {
        using var supervisor = Create(["/no/such/program"], RestartPolicy.Always);

        Assert.Equal(127, await supervisor.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("/no/such/program", _logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ProgramNotExecutable_Returns126WithoutStarting()
    {
        var script = _directory.File("app.sh");
        File.WriteAllText(script, "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var supervisor = Create([script], RestartPolicy.Always);

        Assert.Equal(126, await supervisor.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("is not executable", _logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_AppEnvironment_HasTheVariablesButNotTheAgentToken()
    {
        var output = _directory.File("env");
        var variables = new Dictionary<string, string>
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH")!,
            ["APP_SETTING"] = "on",
            ["PODDLE_AGENT_TOKEN"] = "secret-token",
        };
        using var supervisor = Create(["sh", "-c", $"env > {output}"], RestartPolicy.Never, variables: variables);

        Assert.Equal(0, await supervisor.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));

        var env = File.ReadAllText(output);
        Assert.Contains("APP_SETTING=on", env, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token", env, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Shell_RunsTheCommandLineThroughSh()
    {
        var output = _directory.File("out");
        using var supervisor = Create(["echo", "a", ">", output, "&&", "echo", "b", ">>", output], RestartPolicy.Never, shell: true);

        Assert.Equal(0, await supervisor.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("a\nb\n", File.ReadAllText(output));
    }

    [Fact]
    public async Task RunAsync_App_LeadsItsOwnProcessGroup()
    {
        var output = _directory.File("ids");
        using var supervisor = Create(["sh", "-c", $"echo $$ $(ps -o pgid= -p $$) > {output}"], RestartPolicy.Never);

        Assert.Equal(0, await supervisor.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));

        var ids = File.ReadAllText(output).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(ids[0], ids[1]);
    }

    internal static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return !stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static Task WaitForFileAsync(string path) => Poll.UntilAsync(() => File.Exists(path), $"{path} appears", TimeSpan.FromSeconds(10));

    private AppSupervisor Create(
        IReadOnlyList<string> command,
        RestartPolicy policy,
        TimeSpan? delay = null,
        TimeSpan? maxDelay = null,
        TimeSpan? grace = null,
        bool shell = false,
        Dictionary<string, string>? variables = null)
    {
        variables ??= new Dictionary<string, string> { ["PATH"] = Environment.GetEnvironmentVariable("PATH")! };
        var settings = new SupervisorSettings(command, shell, policy, delay ?? TimeSpan.FromMilliseconds(50), maxDelay ?? TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), grace ?? TimeSpan.FromSeconds(5));
        return new AppSupervisor(settings, new ChildProcesses(), variables, _logs.For<AppSupervisor>(), TimeProvider.System);
    }
}
