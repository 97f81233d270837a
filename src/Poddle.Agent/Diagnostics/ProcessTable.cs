using System.Globalization;

namespace Poddle.Agent.Diagnostics;

/// <summary>A process as /proc shows it.</summary>
/// <param name="Pid">The process id.</param>
/// <param name="Name">Its name (comm): the command line is not shown, as it may carry secrets.</param>
/// <param name="State">R running, S sleeping, D disk wait, Z zombie ...</param>
/// <param name="CpuPercent">Percent of one CPU over the sampling interval (as top shows it: 200 is two CPUs busy).</param>
/// <param name="RssBytes">Resident memory.</param>
/// <param name="MemoryPercent">Resident memory as a percent of the machine's.</param>
public sealed record ProcessInfo(int Pid, string Name, string State, double CpuPercent, long RssBytes, double MemoryPercent);

/// <summary>Lists processes from /proc/[pid]/stat and statm, with CPU use measured between two readings.</summary>
public static class ProcessTable
{
    // /proc reports CPU time in USER_HZ, which the kernel fixes at 100 on every architecture for user space.
    private const double TicksPerSecond = 100;

    public static async Task<IReadOnlyList<ProcessInfo>> ReadAsync(string procRoot, TimeSpan interval, TimeProvider time, CancellationToken cancellationToken)
    {
        var before = Snapshot(procRoot);
        var started = time.GetTimestamp();
        await Task.Delay(interval, time, cancellationToken);
        var after = Snapshot(procRoot);
        var seconds = Math.Max(time.GetElapsedTime(started).TotalSeconds, 1e-3);
        var memTotal = MemTotalBytes(procRoot);

        return after.Values
            .Select(p =>
            {
                var cpu = before.TryGetValue(p.Pid, out var earlier) && earlier.StartTicks == p.StartTicks
                    ? (p.CpuTicks - earlier.CpuTicks) / TicksPerSecond / seconds * 100
                    : 0;
                var memory = memTotal > 0 ? p.RssBytes * 100.0 / memTotal : 0;
                return new ProcessInfo(p.Pid, p.Name, p.State, Math.Round(Math.Max(cpu, 0), 1), p.RssBytes, Math.Round(memory, 1));
            })
            .OrderByDescending(p => p.CpuPercent).ThenByDescending(p => p.RssBytes).ThenBy(p => p.Pid)
            .ToList();
    }

    /// <summary>One process's /proc/[pid]/stat line, or null when it is not one.</summary>
    internal static (string Name, string State, long CpuTicks, long StartTicks)? ParseStat(string line)
    {
        // "1234 (name with) spaces) S 1 ..." — the name is everything between the first '(' and the last ')'.
        var open = line.IndexOf('(', StringComparison.Ordinal);
        var close = line.LastIndexOf(')');
        if (open < 0 || close < open)
        {
            return null;
        }

        var fields = line[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // After the name: state(3) ppid(4) ... utime(14) stime(15) ... starttime(22), numbered as in proc(5).
        if (fields.Length < 20
            || !long.TryParse(fields[11], NumberStyles.Integer, CultureInfo.InvariantCulture, out var utime)
            || !long.TryParse(fields[12], NumberStyles.Integer, CultureInfo.InvariantCulture, out var stime)
            || !long.TryParse(fields[19], NumberStyles.Integer, CultureInfo.InvariantCulture, out var start))
        {
            return null;
        }

        return (line[(open + 1)..close], fields[0], utime + stime, start);
    }

    private sealed record Raw(int Pid, string Name, string State, long CpuTicks, long StartTicks, long RssBytes);

    private static Dictionary<int, Raw> Snapshot(string procRoot)
    {
        var result = new Dictionary<int, Raw>();
        IEnumerable<string> directories;
        try
        {
            directories = Directory.EnumerateDirectories(procRoot).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return result;
        }

        foreach (var directory in directories)
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                if (ParseStat(File.ReadAllText(Path.Combine(directory, "stat"))) is not { } stat)
                {
                    continue;
                }

                var statm = File.ReadAllText(Path.Combine(directory, "statm")).Split(' ');
                var rssPages = statm.Length > 1 && long.TryParse(statm[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pages) ? pages : 0;
                result[pid] = new Raw(pid, stat.Name, stat.State, stat.CpuTicks, stat.StartTicks, rssPages * Environment.SystemPageSize);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process exited between listing and reading: it is simply not in the table.
            }
        }

        return result;
    }

    private static long MemTotalBytes(string procRoot)
    {
        try
        {
            var line = File.ReadLines(Path.Combine(procRoot, "meminfo")).FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return line?.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var kb, ..] && long.TryParse(kb, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value * 1024 : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
