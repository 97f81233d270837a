using System.Diagnostics;
using System.Globalization;
using Poddle.Drivers.Sandbox.Cgroups;
using Poddle.Drivers.Sandbox.Isolation;
using Poddle.Drivers.Sandbox.Pods;

namespace Poddle.Drivers.Sandbox.Tests;

/// <summary>
/// What a server killed with SIGKILL leaves is swept by the next one, and nothing of a server that is alive. A "server"
/// here is a process killed with SIGKILL: run ids name it, as a real server's do (the end-to-end deployment test kills
/// the real `poddle serve`).
/// </summary>
[Collection(RealSandbox.Name)]
public sealed class LeftoverSweeperTests
{
    private readonly CgroupController? _cgroups = SandboxHost.Detect(SandboxChecks.Options()).Controller;

    [SandboxFact(needsCgroups: true)]
    public async Task SweepLeftoversAsync_RunsOfAKilledServer_RemovedWithWhatStillRanInThemWhileLiveRunsStay()
    {
        var deadId = await RunIdOfAKilledProcessAsync();
        var liveId = RunIds.New();
        var dead = _cgroups!.CreateRun("run-" + deadId, SandboxLimits.Default);
        var live = _cgroups.CreateRun("run-" + liveId, SandboxLimits.Default);
        using var straggler = StartIn(dead);
        Directory.CreateDirectory(Path.Join(SandboxChecks.WorkRoot, "poddle-run-" + deadId, "sub"));
        Directory.CreateDirectory(Path.Join(SandboxChecks.WorkRoot, "poddle-run-" + liveId));
        try
        {
            var swept = await new SandboxRunner(SandboxChecks.Options()).SweepLeftoversAsync();

            Assert.True(swept >= 2, $"swept {swept}");
            Assert.False(dead.Exists());
            Assert.False(Directory.Exists(Path.Join(SandboxChecks.WorkRoot, "poddle-run-" + deadId)));
            Assert.True(straggler.WaitForExit(TimeSpan.FromSeconds(10)), "the process left in the dead run's cgroup was not killed");
            Assert.True(live.Exists());
            Assert.True(Directory.Exists(Path.Join(SandboxChecks.WorkRoot, "poddle-run-" + liveId)));
        }
        finally
        {
            live.RemoveUnused();
            Directory.Delete(Path.Join(SandboxChecks.WorkRoot, "poddle-run-" + liveId));
        }
    }

    [SandboxFact(needsCgroups: true)]
    public async Task SweepLeftoversAsync_RunsOfAnOlderPoddle_EmptyCgroupRemovedRecentDirectoryKept()
    {
        const string LegacyId = "0123456789abcdef";
        var cgroup = _cgroups!.CreateRun("run-" + LegacyId, SandboxLimits.Default);
        var directory = Path.Join(SandboxChecks.WorkRoot, "poddle-run-" + LegacyId);
        Directory.CreateDirectory(directory);
        try
        {
            await new SandboxRunner(SandboxChecks.Options()).SweepLeftoversAsync();

            Assert.False(cgroup.Exists());
            Assert.True(Directory.Exists(directory)); // it could be a run in progress of an older server: only old ones go
        }
        finally
        {
            cgroup.RemoveUnused();
            Directory.Delete(directory);
        }
    }

    [Fact]
    public void OwnerOf_RunIds_TellLivingDeadOlderAndForeignOwners()
    {
        Assert.Equal(RunOwner.Alive, RunIds.OwnerOf(RunIds.New()));
        Assert.StartsWith(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".", RunIds.New(), StringComparison.Ordinal);
        Assert.Equal(RunOwner.Gone, RunIds.OwnerOf($"{Environment.ProcessId}.1-0123456789ab")); // this pid, another start time
        Assert.Equal(RunOwner.Unknown, RunIds.OwnerOf("0123456789abcdef"));
        Assert.Equal(RunOwner.NotARun, RunIds.OwnerOf("probe-0123"));
    }

    /// <summary>A run id naming a process that was killed with SIGKILL.</summary>
    private static async Task<string> RunIdOfAKilledProcessAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
        var startTicks = ProcTable.Read(process.Id)!.StartTicks;
        process.Kill();
        await process.WaitForExitAsync();
        return $"{process.Id}.{startTicks}-0123456789ab";
    }

    /// <summary>A process in the cgroup: what a run in progress would have left without its parent-death signal.</summary>
    private static Process StartIn(CgroupRun cgroup)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("for f do echo $$ > \"$f\"; done; exec sleep 600");
        start.ArgumentList.Add("straggler");
        foreach (var file in cgroup.ProcsFiles)
        {
            start.ArgumentList.Add(file);
        }

        var process = Process.Start(start)!;
        var deadline = Stopwatch.StartNew();
        while (cgroup.IsEmpty())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "the straggler did not join the cgroup");
            Thread.Sleep(10);
        }

        return process;
    }
}
