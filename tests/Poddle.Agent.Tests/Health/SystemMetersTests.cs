using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Poddle.Agent.Health;

namespace Poddle.Agent.Tests.Health;

public sealed class SystemMetersTests : IDisposable
{
    private readonly TempTree _proc = new("poddle-proc-");
    private readonly TempTree _cgroup = new("poddle-cgroup-");
    private readonly FakeTimeProvider _time = new();

    public void Dispose()
    {
        _proc.Dispose();
        _cgroup.Dispose();
    }

    private SystemMeters Meters() => new(_proc.Root, _cgroup.Root, _time);

    [Fact]
    public void Cpu_ProcStatDeltas_BusyOverAllTicks()
    {
        _proc.Write("self/cgroup", "0::/\n").Stat(user: 100, system: 100, idle: 700, iowait: 100);
        var meters = Meters();
        var first = meters.SampleCpu();

        _proc.Stat(user: 400, system: 200, idle: 1200, iowait: 200); // busy +400 of +1000 ticks
        var second = meters.SampleCpu();

        Assert.Equal("/proc/stat", second!.Source);
        Assert.Equal(2, second.Cpus);
        Assert.Equal(40, SystemMeters.CpuPercent(first, second));
        Assert.Null(SystemMeters.CpuPercent(second, second)); // no time passed
        Assert.Null(SystemMeters.CpuPercent(null, second));
    }

    [Fact]
    public void Cpu_CgroupV2Quota_UsageAgainstQuotaTimesWallTime()
    {
        _proc.Write("self/cgroup", "0::/kubepods/pod1\n").Stat(1, 1, 1);
        _cgroup.Write("cgroup.controllers", "cpu memory\n")
            .Write("kubepods/pod1/cpu.max", "200000 100000\n")
            .Write("kubepods/pod1/cpu.stat", "usage_usec 5000000\nuser_usec 4000000\nsystem_usec 1000000\n");
        var meters = Meters();
        var first = meters.SampleCpu();

        _time.Advance(TimeSpan.FromSeconds(2));
        _cgroup.Write("kubepods/pod1/cpu.stat", "usage_usec 8000000\nuser_usec 6000000\nsystem_usec 2000000\n"); // 3 CPU-s of 2 CPUs × 2 s
        var second = meters.SampleCpu();

        Assert.Equal("cgroup v2", second!.Source);
        Assert.Equal(2, second.Cpus);
        Assert.Equal(75, SystemMeters.CpuPercent(first, second));
    }

    [Fact]
    public void Cpu_CgroupV2WithoutQuota_FallsBackToProcStat()
    {
        _proc.Write("self/cgroup", "0::/\n").Stat(1, 1, 1);
        _cgroup.Write("cgroup.controllers", "cpu\n").Write("cpu.max", "max 100000\n").Write("cpu.stat", "usage_usec 1\n");

        Assert.Equal("/proc/stat", Meters().SampleCpu()!.Source);
    }

    [Fact]
    public void Cpu_CgroupV1CoMountedCpuCpuacct_NestedPathResolved()
    {
        _proc.Write("self/cgroup", "5:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n0::/\n").Stat(1, 1, 1);
        _cgroup.Write("cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "50000\n")
            .Write("cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n")
            .Write("cpu,cpuacct/docker/abc/cpuacct.usage", "1000000000\n")
            .Write("cpu,cpuacct/cpu.cfs_quota_us", "-1\n"); // the host's root: no quota
        var meters = Meters();
        var first = meters.SampleCpu();

        _time.Advance(TimeSpan.FromSeconds(4));
        _cgroup.Write("cpu,cpuacct/docker/abc/cpuacct.usage", "2000000000\n"); // 1 CPU-s of 0.5 CPU × 4 s
        var second = meters.SampleCpu();

        Assert.Equal("cgroup v1", second!.Source);
        Assert.Equal(0.5, second.Cpus);
        Assert.Equal(50, SystemMeters.CpuPercent(first, second));
    }

    [Fact]
    public void Memory_CgroupV2Limit_CurrentLessInactiveFileOverMax()
    {
        _proc.Write("self/cgroup", "0::/\n").Meminfo(totalKb: 16_000_000, availableKb: 15_000_000);
        _cgroup.Write("cgroup.controllers", "memory\n")
            .Write("memory.max", "1073741824\n")
            .Write("memory.current", "966367641\n")
            .Write("memory.stat", "anon 800000000\nfile 166367641\ninactive_file 107374182\nactive_file 0\n");

        var memory = Meters().ReadMemory()!;

        Assert.Equal("cgroup v2", memory.Source);
        Assert.Equal(1073741824, memory.TotalBytes);
        Assert.Equal(80, memory.Percent);
    }

    [Fact]
    public void Memory_CgroupV2Unlimited_UsesMeminfo()
    {
        _proc.Write("self/cgroup", "0::/\n").Meminfo(totalKb: 1_000_000, availableKb: 100_000);
        _cgroup.Write("cgroup.controllers", "memory\n").Write("memory.max", "max\n").Write("memory.current", "5\n");

        var memory = Meters().ReadMemory()!;

        Assert.Equal("/proc/meminfo", memory.Source);
        Assert.Equal(90, memory.Percent);
        Assert.Equal(900_000 * 1024L, memory.UsedBytes);
    }

    [Fact]
    public void Memory_CgroupV1Limit_AndTheHugeUnlimitedValueIgnored()
    {
        _proc.Write("self/cgroup", "4:memory:/docker/abc\n").Meminfo(totalKb: 16_000_000, availableKb: 8_000_000);
        _cgroup.Write("memory/docker/abc/memory.limit_in_bytes", "536870912\n")
            .Write("memory/docker/abc/memory.usage_in_bytes", "322122547\n")
            .Write("memory/docker/abc/memory.stat", "cache 0\ntotal_inactive_file 53687091\n")
            .Write("memory/memory.limit_in_bytes", "9223372036854771712\n");

        var limited = Meters().ReadMemory()!;
        _proc.Write("self/cgroup", "4:memory:/\n");
        var unlimited = Meters().ReadMemory()!;

        Assert.Equal("cgroup v1", limited.Source);
        Assert.Equal(50, limited.Percent);
        Assert.Equal("/proc/meminfo", unlimited.Source);
        Assert.Equal(50, unlimited.Percent);
    }

    [Fact]
    public void Missing_Files_AreNullNotExceptions()
    {
        var meters = Meters();

        Assert.Null(meters.SampleCpu());
        Assert.Null(meters.ReadMemory());
        Assert.Null(SystemMeters.ReadDisk(Path.Combine(_proc.Root, "no-such-dir")));
    }

    [Fact]
    public void RealMachine_ProcAndCgroupsAndStatfs_GiveSaneValues()
    {
        var meters = new SystemMeters("/proc", "/sys/fs/cgroup", TimeProvider.System);
        var first = meters.SampleCpu();
        // The CPU measurement window on the real machine (/proc/stat counters), not a wait for a condition.
        Thread.Sleep(200);
        var second = meters.SampleCpu();
        var memory = meters.ReadMemory();

        Assert.NotNull(second);
        Assert.InRange(SystemMeters.CpuPercent(first, second) ?? -1, 0, 100);
        Assert.NotNull(memory);
        Assert.InRange(memory.Percent, 0.1, 100);
        Assert.True(memory.TotalBytes > 64L << 20, memory.ToString());
    }

    [Fact]
    public void RealMachine_DiskMatchesDf()
    {
        var disk = SystemMeters.ReadDisk("/tmp")!;
        var df = Df("/tmp");

        // df -B1 prints: Filesystem 1B-blocks Used Available Use% Mounted-on
        Assert.Equal(df.Total, disk.TotalBytes);
        Assert.InRange(disk.UsedBytes, df.Used - (64L << 20), df.Used + (64L << 20));
        Assert.InRange(disk.Percent, df.Percent - 1, df.Percent + 1);
    }

    private static (long Total, long Used, double Percent) Df(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("df", ["-B1", "-P", path]) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var fields = output.Split('\n')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[1], CultureInfo.InvariantCulture), long.Parse(fields[2], CultureInfo.InvariantCulture), double.Parse(fields[4].TrimEnd('%'), CultureInfo.InvariantCulture));
    }
}
