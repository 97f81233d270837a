using System.Diagnostics;
using Poddle.Drivers.Sandbox.Cgroups;
using Poddle.Testing;

namespace Poddle.Drivers.Sandbox.Tests.Cgroups;

/// <summary>The host's real cgroups (v1 on this CI machine, v2 elsewhere), without bubblewrap.</summary>
public sealed class CgroupControllerTests
{
    [SandboxFact(needsCgroups: true)]
    public async Task CreateRun_ProcessJoinsThenKillAll_EmptyAndRemoved()
    {
        var controller = CgroupController.Detect("/poddle-sandbox").Controller!;
        var run = controller.CreateRun("test-" + Guid.NewGuid().ToString("N"), new SandboxLimits { MemoryMb = 32, Pids = 5 });
        try
        {
            var join = string.Join(" ", run.ProcsFiles.Select(f => $"echo $$ > {f};"));
            using var process = Process.Start("/bin/sh", ["-c", join + " (sleep 30 &) ; exec sleep 30"]);
            await Poll.UntilAsync(() => !run.IsEmpty() && ProcsCount(run) >= 2, "both processes joined the run's cgroup", TimeSpan.FromSeconds(5));

            await run.KillAllAsync(TimeSpan.FromSeconds(5));

            Assert.True(run.IsEmpty());
            await process.WaitForExitAsync();
        }
        finally
        {
            await run.RemoveAsync();
        }

        Assert.All(run.Directories, d => Assert.False(Directory.Exists(d)));
    }

    private static int ProcsCount(CgroupRun run) =>
        File.ReadAllLines(run.ProcsFiles[0]).Length;
}
