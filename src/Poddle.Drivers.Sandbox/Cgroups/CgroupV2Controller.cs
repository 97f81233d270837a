using System.Globalization;

namespace Poddle.Drivers.Sandbox.Cgroups;

/// <summary>cgroup v2: one unified hierarchy; a run is one directory with memory, cpu and pids enabled from its parent.</summary>
internal sealed class CgroupV2Controller(string parent) : CgroupController
{
    private static readonly string[] RunControllers = ["memory", "cpu", "pids"];

    public override string Version => "v2";

    public override CgroupRun CreateRun(string name, SandboxLimits limits)
    {
        var run = new CgroupV2Run(Path.Join(parent, name));
        try
        {
            Directory.CreateDirectory(run.Directory);
            run.Apply(limits);
            return run;
        }
        catch
        {
            run.RemoveUnused();
            throw;
        }
    }

    /// <summary>
    /// Enables the controllers a run needs in subtree_control from the mount point down to <paramref name="parent"/>.
    /// (The "no internal processes" rule: this fails with EBUSY where a cgroup on the way holds processes, which is why
    /// the parent should be a delegated subtree of its own.)
    /// </summary>
    internal static void EnableControllers(string mountPoint, string parent)
    {
        var current = mountPoint;
        var relative = Path.GetRelativePath(mountPoint, parent);
        var segments = relative == "." ? [] : relative.Split('/');
        foreach (var segment in segments.Prepend(string.Empty))
        {
            current = segment.Length == 0 ? current : Path.Join(current, segment);
            Directory.CreateDirectory(current);
            var enabled = File.ReadAllText(Path.Join(current, "cgroup.subtree_control")).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var controller in RunControllers.Except(enabled))
            {
                CgroupFiles.Write(Path.Join(current, "cgroup.subtree_control"), "+" + controller);
            }
        }
    }

    private sealed class CgroupV2Run(string directory) : CgroupRun
    {
        public string Directory { get; } = directory;

        public override IReadOnlyList<string> ProcsFiles => [Path.Join(Directory, "cgroup.procs")];

        public override IReadOnlyList<string> Directories => [Directory];

        public override void Apply(SandboxLimits limits)
        {
            CgroupFiles.Write(Path.Join(Directory, "memory.max"), ((long)limits.MemoryMb * 1024 * 1024).ToString(CultureInfo.InvariantCulture));
            var swap = Path.Join(Directory, "memory.swap.max");
            if (File.Exists(swap))
            {
                CgroupFiles.Write(swap, "0");
            }

            const int Period = 100_000;
            CgroupFiles.Write(Path.Join(Directory, "cpu.max"), $"{QuotaMicros(limits.CpuCores, Period).ToString(CultureInfo.InvariantCulture)} {Period}");
            CgroupFiles.Write(Path.Join(Directory, "pids.max"), limits.Pids.ToString(CultureInfo.InvariantCulture));
        }

        public override TimeSpan ReadCpuUsage() =>
            TimeSpan.FromMicroseconds(ReadKey(Path.Join(Directory, "cpu.stat"), "usage_usec"));

        // memory.peak exists since Linux 5.19.
        public override long ReadPeakMemoryBytes() => CgroupFiles.ReadLong(Path.Join(Directory, "memory.peak"));

        public override long ReadOomKills() => ReadKey(Path.Join(Directory, "memory.events"), "oom_kill");

        public override bool IsEmpty() =>
            !System.IO.Directory.Exists(Directory) || ReadKey(Path.Join(Directory, "cgroup.events"), "populated") == 0;

        public override void SignalAll()
        {
            // cgroup.kill (Linux 5.14) kills every process atomically, new forks included; older kernels get the loop.
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
    }
}
