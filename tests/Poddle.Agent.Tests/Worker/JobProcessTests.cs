using Microsoft.Extensions.Time.Testing;
using Poddle.Agent.Supervisor;
using Poddle.Agent.Worker;

namespace Poddle.Agent.Tests.Worker;

/// <summary>One job's command as a real process (sh): input on stdin, output, stderr tail, timeout, stop, environment.</summary>
public sealed class JobProcessTests
{
    private static readonly Dictionary<string, string> Variables = new(StringComparer.Ordinal)
    {
        ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
        [WorkerEnvironment.ApiKey] = "pwk_secret",
        ["MODE"] = "prod",
    };

    [Fact]
    public async Task RunAsync_InputOnStdin_StdoutAndExitCodeCome_Back()
    {
        var process = Create("cat; echo; echo \"mode=$MODE key=${RUNPOD_AI_API_KEY:-none}\"");

        var outcome = await process.RunAsync("""{"n":1}""", null, CancellationToken.None);

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("{\"n\":1}\nmode=prod key=none\n", outcome.Stdout);
        Assert.False(outcome.TimedOut || outcome.Stopped || outcome.OutputTooLarge);
    }

    [Fact]
    public async Task RunAsync_LongStderr_KeepsItsTail()
    {
        var process = Create("i=0; while [ $i -lt 2000 ]; do echo \"line $i\" >&2; i=$((i+1)); done; exit 4");

        var outcome = await process.RunAsync("{}", null, CancellationToken.None);

        Assert.Equal(4, outcome.ExitCode);
        Assert.EndsWith("line 1999\n", outcome.StderrTail, StringComparison.Ordinal);
        Assert.True(outcome.StderrTail.Length <= JobProcess.StderrTailBytes);
        Assert.DoesNotContain("line 0\n", outcome.StderrTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_PastItsTimeout_IsKilled()
    {
        var clock = new FakeTimeProvider();
        var process = Create("sleep 600", clock);

        var running = process.RunAsync("{}", TimeSpan.FromSeconds(5), CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(5));
        var outcome = await running.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(outcome.TimedOut);
        Assert.Null(outcome.ExitCode);
        Assert.Contains("timed out after 5 s", WorkerResultBody.For(outcome, TimeSpan.FromSeconds(5)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Stopped_IsKilled_AndPostsNothing()
    {
        using var stop = new CancellationTokenSource();
        var process = Create("sleep 600");

        var running = process.RunAsync("{}", null, stop.Token);
        await stop.CancelAsync();
        var outcome = await running.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(outcome.Stopped);
        Assert.Null(WorkerResultBody.For(outcome, null));
    }

    [Fact]
    public async Task RunAsync_OutputOverTheLimit_IsAnError()
    {
        var process = new JobProcess(["/bin/sh", "-c", "head -c 5000 /dev/zero"], false, Variables, new ChildProcesses(), TimeProvider.System) { MaxOutputBytes = 1000 };

        var outcome = await process.RunAsync("{}", null, CancellationToken.None);

        Assert.True(outcome.OutputTooLarge);
        Assert.Contains("larger than the limit", WorkerResultBody.For(outcome, null), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UnknownProgram_IsAnErrorNotAThrow()
    {
        var process = new JobProcess(["no-such-program-xyz"], false, Variables, new ChildProcesses(), TimeProvider.System);

        var outcome = await process.RunAsync("{}", null, CancellationToken.None);

        Assert.Equal("{\"error\":\"no-such-program-xyz: command not found\"}", WorkerResultBody.For(outcome, null));
    }

    private static JobProcess Create(string script, TimeProvider? time = null) =>
        new(["/bin/sh", "-c", script], false, Variables, new ChildProcesses(), time ?? TimeProvider.System);
}
