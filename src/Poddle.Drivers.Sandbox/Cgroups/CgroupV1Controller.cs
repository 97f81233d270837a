using System.Globalization;

namespace Poddle.Drivers.Sandbox.Cgroups;

/// <summary>
/// cgroup v1: one hierarchy per controller (memory, cpu, cpuacct, pids; cpu and cpuacct are often co-mounted).
/// A run gets a directory in each distinct hierarchy.
/// </summary>
internal sealed class CgroupV1Controller(string memory, string cpu, string cpuacct, string pids) : CgroupController
{
    public override string Version => "v1";

    public override CgroupRun CreateRun(string name, SandboxLimits limits)
    {
        var run = new CgroupV1Run(Path.Join(memory, name), Path.Join(cpu, name), Path.Join(cpuacct, name), Path.Join(pids, name));
        try
        {
            foreach (var directory in run.Directories)
            {
                Directory.CreateDirectory(directory);
            }

            run.Apply(limits);
            return run;
        }
        catch
        {
            run.RemoveUnused();
            throw;
        }
    }

    public override CgroupRun OpenRun(string name) =>
        new CgroupV1Run(Path.Join(memory, name), Path.Join(cpu, name), Path.Join(cpuacct, name), Path.Join(pids, name));

    public override IReadOnlyList<string> ListChildren() => ChildNames([memory, cpu, cpuacct, pids]);

    private sealed class CgroupV1Run : CgroupRun
    {
        private readonly string _memory;
        private readonly string _cpu;
        private readonly string _cpuacct;
        private readonly string[] _directories;

        public CgroupV1Run(string memory, string cpu, string cpuacct, string pids)
            : base(CgroupFileSystem.Real)
        {
            _memory = memory;
            _cpu = cpu;
            _cpuacct = cpuacct;
            _directories = new[] { memory, cpu, cpuacct, pids }.Distinct(StringComparer.Ordinal).ToArray();
            Pids = pids;
        }

        private string Pids { get; }

        public override IReadOnlyList<string> ProcsFiles => _directories.Select(d => Path.Join(d, "cgroup.procs")).ToArray();

        public override IReadOnlyList<string> Directories => _directories;

        public override void Apply(SandboxLimits limits)
        {
            var limit = (long)limits.MemoryMb * 1024 * 1024;
            var bytes = limit.ToString(CultureInfo.InvariantCulture);
            var memory = Path.Join(_memory, "memory.limit_in_bytes");
            // memsw (memory + swap) equal to the memory limit means no swap at all; it exists only with swap accounting
            // (swapaccount=1). Without it, swappiness 0 keeps the run's pages out of swap as far as the kernel allows.
            // The kernel keeps memory <= memsw at every write: raising (a prepared sandbox at hand-out) writes memsw first.
            var memsw = Path.Join(_memory, "memory.memsw.limit_in_bytes");
            if (File.Exists(memsw))
            {
                var raising = limit > CgroupFiles.ReadLong(memory);
                CgroupFiles.Write(raising ? memsw : memory, bytes);
                CgroupFiles.Write(raising ? memory : memsw, bytes);
            }
            else
            {
                CgroupFiles.Write(memory, bytes);
                CgroupFiles.Write(Path.Join(_memory, "memory.swappiness"), "0");
            }

            const int Period = 100_000;
            CgroupFiles.Write(Path.Join(_cpu, "cpu.cfs_period_us"), Period.ToString(CultureInfo.InvariantCulture));
            CgroupFiles.Write(Path.Join(_cpu, "cpu.cfs_quota_us"), QuotaMicros(limits.CpuCores, Period).ToString(CultureInfo.InvariantCulture));
            CgroupFiles.Write(Path.Join(Pids, "pids.max"), limits.Pids.ToString(CultureInfo.InvariantCulture));
        }

        public override TimeSpan ReadCpuUsage() =>
            TimeSpan.FromTicks(CgroupFiles.ReadLong(Path.Join(_cpuacct, "cpuacct.usage")) / 100); // nanoseconds

        public override long ReadPeakMemoryBytes() => CgroupFiles.ReadLong(Path.Join(_memory, "memory.max_usage_in_bytes"));

        public override long ReadMemoryBytes() => CgroupFiles.ReadLong(Path.Join(_memory, "memory.usage_in_bytes"));

        // v1 reports "no limit" as a huge number (PAGE_COUNTER_MAX pages), not as a word.
        public override long? ReadMemoryLimitBytes() =>
            CgroupFiles.ReadLong(Path.Join(_memory, "memory.limit_in_bytes")) is > 0 and < long.MaxValue / 2 and var limit ? limit : null;

        // "oom_kill N" in memory.oom_control exists since Linux 4.13.
        public override long ReadOomKills() => ReadKey(Path.Join(_memory, "memory.oom_control"), "oom_kill");

        public override bool IsEmpty() => _directories.All(d => ReadPids(Path.Join(d, "cgroup.procs")).Count == 0);

        public override void SignalAll()
        {
            foreach (var directory in _directories)
            {
                KillPidsIn(Path.Join(directory, "cgroup.procs"));
            }
        }
    }
}
