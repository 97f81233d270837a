using System.Globalization;

namespace Poddle.Agent.Health;

/// <summary>A CPU counter reading: busy and available CPU time in the same unit since some origin.</summary>
/// <param name="Source">"cgroup v2", "cgroup v1" or "/proc/stat": readings from different sources do not compare.</param>
/// <param name="Busy">CPU time used (ticks, or CPU-seconds).</param>
/// <param name="Total">CPU time available in the same unit (all ticks, or wall seconds × quota CPUs).</param>
/// <param name="Cpus">The CPUs the busy time is measured against (a cgroup's quota, or every CPU).</param>
public sealed record CpuSample(string Source, double Busy, double Total, double Cpus);

/// <summary>A memory reading.</summary>
/// <param name="Source">"cgroup v2", "cgroup v1" (a limit applies) or "/proc/meminfo".</param>
/// <param name="UsedBytes">In use, less page cache the kernel can drop at once.</param>
/// <param name="TotalBytes">The limit, or the machine's memory.</param>
public sealed record MemoryReading(string Source, long UsedBytes, long TotalBytes)
{
    public double Percent => TotalBytes > 0 ? Math.Round(UsedBytes * 100.0 / TotalBytes, 1) : 0;
}

/// <summary>A filesystem's use as df counts it: used / (used + available to unprivileged users).</summary>
public sealed record DiskReading(string Path, long UsedBytes, long AvailableBytes, long TotalBytes)
{
    public double Percent => UsedBytes + AvailableBytes > 0 ? Math.Round(UsedBytes * 100.0 / (UsedBytes + AvailableBytes), 1) : 0;
}

/// <summary>
/// Reads CPU, memory and disk use the way a container sees them: a cgroup's CPU quota and memory limit when
/// one is set (cgroup v2 cpu.max/memory.max, v1 cfs_quota/limit_in_bytes), the whole machine otherwise.
/// </summary>
public sealed class SystemMeters
{
    private readonly string _procRoot;
    private readonly Cgroups _cgroups;
    private readonly TimeProvider _time;

    public SystemMeters(string procRoot, string cgroupRoot, TimeProvider time)
    {
        _procRoot = procRoot;
        _cgroups = new Cgroups(procRoot, cgroupRoot);
        _time = time;
    }

    /// <summary>The CPU counters now; null when neither a limited cgroup nor /proc/stat can be read.</summary>
    public CpuSample? SampleCpu()
    {
        var wallSeconds = _time.GetTimestamp() / (double)_time.TimestampFrequency;
        if (_cgroups.V2Directory() is { } v2
            && Cgroups.ReadText(v2, "cpu.max")?.Split(' ') is [var quotaText, var periodText]
            && quotaText != "max"
            && double.TryParse(quotaText, NumberStyles.Float, CultureInfo.InvariantCulture, out var quota)
            && double.TryParse(periodText, NumberStyles.Float, CultureInfo.InvariantCulture, out var period) && period > 0
            && Cgroups.ReadStat(v2, "cpu.stat", "usage_usec") is { } usageMicros)
        {
            var cpus = quota / period;
            return new CpuSample("cgroup v2", usageMicros / 1e6, wallSeconds * cpus, cpus);
        }

        if (_cgroups.V1Directory("cpu") is { } cpuDir
            && Cgroups.ReadLong(cpuDir, "cpu.cfs_quota_us") is { } quotaV1 and > 0
            && Cgroups.ReadLong(cpuDir, "cpu.cfs_period_us") is { } periodV1 and > 0
            && Cgroups.ReadLong(_cgroups.V1Directory("cpuacct"), "cpuacct.usage") is { } usageNanos)
        {
            var cpus = quotaV1 / (double)periodV1;
            return new CpuSample("cgroup v1", usageNanos / 1e9, wallSeconds * cpus, cpus);
        }

        var stat = Cgroups.ReadText(_procRoot, "stat");
        var line = stat?.Split('\n').FirstOrDefault(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }

        // user nice system idle iowait irq softirq steal (guest time is already inside user and nice).
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(f => double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0).ToArray();
        if (fields.Length < 4)
        {
            return null;
        }

        var total = fields.Sum();
        var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
        var cpuCount = stat!.Split('\n').Count(l => l.StartsWith("cpu", StringComparison.Ordinal) && l.Length > 3 && char.IsDigit(l[3]));
        return new CpuSample("/proc/stat", total - idle, total, Math.Max(cpuCount, 1));
    }

    /// <summary>Percent of the available CPU used between two samples; null when they do not compare or no time passed.</summary>
    public static double? CpuPercent(CpuSample? previous, CpuSample? current)
    {
        if (previous is null || current is null || previous.Source != current.Source)
        {
            return null;
        }

        var total = current.Total - previous.Total;
        if (total <= 0)
        {
            return null;
        }

        return Math.Round(Math.Clamp((current.Busy - previous.Busy) * 100 / total, 0, 100), 1);
    }

    /// <summary>Memory use against the cgroup limit when one applies, else against the machine's memory.</summary>
    public MemoryReading? ReadMemory()
    {
        var machine = ReadMeminfo();
        if (_cgroups.V2Directory() is { } v2
            && Cgroups.ReadLong(v2, "memory.max") is { } max and > 0
            && (machine is null || max < machine.TotalBytes)
            && Cgroups.ReadLong(v2, "memory.current") is { } current)
        {
            // Like `docker stats` and the kubelet: page cache the kernel can drop at once is not pressure.
            var inactive = Cgroups.ReadStat(v2, "memory.stat", "inactive_file") ?? 0;
            return new MemoryReading("cgroup v2", Math.Max(current - inactive, 0), max);
        }

        var v1 = _cgroups.V1Directory("memory");
        if (Cgroups.ReadLong(v1, "memory.limit_in_bytes") is { } limit and > 0
            && (machine is null ? limit < long.MaxValue / 2 : limit < machine.TotalBytes)
            && Cgroups.ReadLong(v1, "memory.usage_in_bytes") is { } usage)
        {
            var inactive = Cgroups.ReadStat(v1, "memory.stat", "total_inactive_file") ?? 0;
            return new MemoryReading("cgroup v1", Math.Max(usage - inactive, 0), limit);
        }

        return machine;
    }

    /// <summary>The machine's memory from /proc/meminfo: used = MemTotal − MemAvailable.</summary>
    public MemoryReading? ReadMeminfo()
    {
        var text = Cgroups.ReadText(_procRoot, "meminfo");
        if (text is null)
        {
            return null;
        }

        long? Kb(string key) => text.Split('\n').FirstOrDefault(l => l.StartsWith(key + ":", StringComparison.Ordinal))?
            .Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var number, ..]
            && long.TryParse(number, NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : null;

        var total = Kb("MemTotal");
        var available = Kb("MemAvailable") ?? (Kb("MemFree") + Kb("Buffers") + Kb("Cached"));
        return total is > 0 && available is { } free ? new MemoryReading("/proc/meminfo", Math.Max(total.Value - free, 0), total.Value) : null;
    }

    /// <summary>The filesystem holding <paramref name="path"/> (statvfs through DriveInfo); null when the path does not exist.</summary>
    /// <exception cref="IOException">statvfs failed.</exception>
    public static DiskReading? ReadDisk(string path)
    {
        if (!Directory.Exists(path) && !File.Exists(path))
        {
            return null;
        }

        // On Linux DriveInfo calls statvfs on the name it is given, which may be any path on the filesystem.
        var drive = new DriveInfo(path);
        var used = drive.TotalSize - drive.TotalFreeSpace;
        return new DiskReading(path, used, drive.AvailableFreeSpace, drive.TotalSize);
    }
}
