using System.Globalization;

namespace Poddle.Drivers.Sandbox.Cgroups;

/// <summary>
/// cgroup v2 (Documentation/admin-guide/cgroup-v2.rst): one unified hierarchy; a run is one leaf directory with memory,
/// cpu and pids enabled from its parent. Files whose absence on older kernels is handled: memory.peak (5.19),
/// cgroup.kill (5.14), the oom_kill key of memory.events (4.13), memory.swap.max (swap accounting).
/// </summary>
internal sealed class CgroupV2Controller(string parent, CgroupFileSystem fileSystem) : CgroupController
{
    private static readonly string[] RunControllers = ["memory", "cpu", "pids"];

    public CgroupV2Controller(string parent)
        : this(parent, CgroupFileSystem.Real)
    {
    }

    public override string Version => "v2";

    public override CgroupRun CreateRun(string name, SandboxLimits limits)
    {
        var run = new CgroupV2Run(Path.Join(parent, name), fileSystem);
        try
        {
            fileSystem.CreateDirectory(run.Directory);
            run.Apply(limits);
            return run;
        }
        catch
        {
            run.RemoveUnused();
            throw;
        }
    }

    public override CgroupRun OpenRun(string name) => new CgroupV2Run(Path.Join(parent, name), fileSystem);

    public override IReadOnlyList<string> ListChildren() => ChildNames([parent]);

    /// <summary>
    /// Enables the controllers a run needs in cgroup.subtree_control of every cgroup from the mount point down to
    /// <paramref name="parent"/> (a controller reaches a cgroup only when each ancestor enables it for its children),
    /// in one write per cgroup ("+memory +cpu +pids": all or nothing). The "no internal processes" rule makes this
    /// fail (EBUSY) in a non-root cgroup that holds processes, the server's own cgroup for one; the error then says so,
    /// because the fix is configuration: a parent of its own (a sibling of the server's cgroup under a delegated subtree).
    /// </summary>
    internal static void EnableControllers(string mountPoint, string parent, CgroupFileSystem fileSystem)
    {
        var current = mountPoint;
        var relative = Path.GetRelativePath(mountPoint, parent);
        var segments = relative == "." ? [] : relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        foreach (var segment in segments.Prepend(string.Empty))
        {
            current = segment.Length == 0 ? current : Path.Join(current, segment);
            if (!Directory.Exists(current))
            {
                fileSystem.CreateDirectory(current);
            }

            var control = Path.Join(current, "cgroup.subtree_control");
            try
            {
                var enabled = File.ReadAllText(control).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var missing = RunControllers.Except(enabled).ToArray();
                if (missing.Length > 0)
                {
                    CgroupFiles.Write(control, string.Join(' ', missing.Select(c => "+" + c)));
                }
            }
            catch (Exception ex) when ((ex is IOException or UnauthorizedAccessException) && current != mountPoint && HasProcesses(current))
            {
                throw new IOException(
                    $"cannot enable {string.Join(", ", RunControllers)} in {current}: it holds processes, and cgroup v2 enables " +
                    "controllers for children only in a cgroup without processes (the \"no internal processes\" rule); " +
                    "point Sandbox:CgroupParent at a cgroup of its own", ex);
            }
        }
    }

    private static bool HasProcesses(string cgroup)
    {
        var procs = Path.Join(cgroup, "cgroup.procs");
        return File.Exists(procs) && File.ReadAllText(procs).Trim().Length > 0;
    }

    private sealed class CgroupV2Run(string directory, CgroupFileSystem fileSystem) : CgroupRun(fileSystem)
    {
        private long _sampledPeak;

        public string Directory { get; } = directory;

        public override IReadOnlyList<string> ProcsFiles => [Path.Join(Directory, "cgroup.procs")];

        public override IReadOnlyList<string> Directories => [Directory];

        public override void Apply(SandboxLimits limits)
        {
            CgroupFiles.Write(Path.Join(Directory, "memory.max"), ((long)limits.MemoryMb * 1024 * 1024).ToString(CultureInfo.InvariantCulture));
            // memory.swap.max exists only with swap accounting; without it the run can swap (the v1 fallback,
            // memory.swappiness, does not exist in v2).
            var swap = Path.Join(Directory, "memory.swap.max");
            if (File.Exists(swap))
            {
                CgroupFiles.Write(swap, "0");
            }

            const int Period = 100_000;
            CgroupFiles.Write(Path.Join(Directory, "cpu.max"), $"{QuotaMicros(limits.CpuCores, Period).ToString(CultureInfo.InvariantCulture)} {Period}");
            CgroupFiles.Write(Path.Join(Directory, "pids.max"), limits.Pids.ToString(CultureInfo.InvariantCulture));
        }

        // usage_usec is in cpu.stat whether or not the cpu controller is enabled. The runner polls this every
        // PollInterval, which is also when memory.current is sampled on kernels without memory.peak.
        public override TimeSpan ReadCpuUsage()
        {
            if (!File.Exists(Path.Join(Directory, "memory.peak")))
            {
                SampleMemory();
            }

            return TimeSpan.FromMicroseconds(ReadKey(Path.Join(Directory, "cpu.stat"), "usage_usec"));
        }

        // memory.peak exists since Linux 5.19. Before, the peak is the highest memory.current sampled during the run,
        // which can miss a short spike; a run the OOM killer hit has reached memory.max by definition.
        public override long ReadPeakMemoryBytes()
        {
            var peak = Path.Join(Directory, "memory.peak");
            if (File.Exists(peak))
            {
                return CgroupFiles.ReadLong(peak);
            }

            SampleMemory();
            return ReadOomKills() > 0 ? Math.Max(_sampledPeak, CgroupFiles.ReadLong(Path.Join(Directory, "memory.max"))) : _sampledPeak;
        }

        public override long ReadMemoryBytes() => CgroupFiles.ReadLong(Path.Join(Directory, "memory.current"));

        // memory.max reads "max" when there is no limit, which ReadLong turns into 0.
        public override long? ReadMemoryLimitBytes() =>
            CgroupFiles.ReadLong(Path.Join(Directory, "memory.max")) is > 0 and var limit ? limit : null;

        // oom_kill is in memory.events since Linux 4.13; before, "oom" (the limit was hit and reclaim failed, which
        // invokes the OOM killer) stands in for it.
        public override long ReadOomKills()
        {
            var events = Path.Join(Directory, "memory.events");
            return TryReadKey(events, "oom_kill") ?? ReadKey(events, "oom");
        }

        public override bool IsEmpty()
        {
            if (!System.IO.Directory.Exists(Directory))
            {
                return true;
            }

            // "populated" covers the whole subtree; cgroup.procs, the fallback, only this cgroup (a run has no children).
            return TryReadKey(Path.Join(Directory, "cgroup.events"), "populated") is { } populated
                ? populated == 0
                : ReadPids(Path.Join(Directory, "cgroup.procs")).Count == 0;
        }

        public override void SignalAll()
        {
            // cgroup.kill (Linux 5.14) kills every process atomically, new forks included; older kernels get the loop
            // (KillAllAsync repeats it until the cgroup is empty, and pids.max bounds a fork bomb).
            var kill = Path.Join(Directory, "cgroup.kill");
            if (File.Exists(kill))
            {
                CgroupFiles.Write(kill, "1");
            }
            else
            {
                KillPidsIn(Path.Join(Directory, "cgroup.procs"));
            }
        }

        private void SampleMemory() =>
            _sampledPeak = Math.Max(_sampledPeak, CgroupFiles.ReadLong(Path.Join(Directory, "memory.current")));
    }
}
