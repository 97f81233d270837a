using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Sandbox.Pods;

// A pod's CPU and memory: from its cgroup, or summed over its processes under reduced isolation.
public sealed partial class SandboxPodDriver
{
    /// <inheritdoc />
    public Task<PodStats?> GetStatsAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (ReadRecord(handle.PodId) is not { } record || ObserveRecord(record).State != PodState.Running)
        {
            return Task.FromResult<PodStats?>(null);
        }

        var now = _time.GetUtcNow();
        if (record.Cgroup is { } name && _cgroups?.OpenRun(name) is { } cgroup && cgroup.Exists())
        {
            return Task.FromResult<PodStats?>(new PodStats(
                now, cgroup.ReadCpuUsage().Ticks * 100, cgroup.ReadMemoryBytes(), cgroup.ReadMemoryLimitBytes(), null, null));
        }

        // Reduced isolation: no cgroup, so the sum over the pod's processes (CPU of processes that already exited is lost).
        var processes = ProcTable.Descendants(record.SupervisorPid);
        var cpuNanoseconds = processes.Sum(p => p.CpuTicks) * (1_000_000_000 / ProcTable.TicksPerSecond);
        var memoryBytes = processes.Where(p => !Plumbing.Contains(p.Command, StringComparer.Ordinal)).Sum(p => p.RssPages) * Environment.SystemPageSize;
        return Task.FromResult<PodStats?>(new PodStats(now, cpuNanoseconds, memoryBytes, null, null, null));
    }
}
