using System.Diagnostics;
using System.Globalization;

namespace Poddle.Agent.Bench;

/// <summary>
/// Samples the CPU time (utime + stime from /proc/PID/stat) and resident memory (VmRSS from /proc/PID/status) of a set
/// of processes every <see cref="Interval"/> while a level runs. CPU% is the time they used over the wall time between
/// samples: 100% is one core's worth.
/// </summary>
internal sealed class ProcessSampler : IAsyncDisposable
{
    /// <summary>USER_HZ: the unit of /proc/PID/stat times. 100 on every Linux architecture .NET runs on.</summary>
    private const double ClockTicksPerSecond = 100;

    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly IReadOnlyList<int> _pids;
    private readonly string _procRoot;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<double> _cpu = [];
    private readonly Task _loop;
    private double _rssMax;
    private int _samples;

    public ProcessSampler(IReadOnlyList<int> pids, string procRoot = "/proc")
    {
        _pids = pids;
        _procRoot = procRoot;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>How many CPU samples were taken so far (read while sampling runs).</summary>
    public int Samples => Volatile.Read(ref _samples);

    /// <summary>Stops sampling and returns what was seen; null when the processes could not be read.</summary>
    public async Task<BenchTargetUsage?> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return _cpu.Count == 0 && _rssMax == 0
            ? null
            : new BenchTargetUsage(
                _cpu.Count == 0 ? 0 : Math.Round(_cpu.Average(), 1),
                _cpu.Count == 0 ? 0 : Math.Round(_cpu.Max(), 1),
                Math.Round(_rssMax / 1024, 1),
                _cpu.Count);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    /// <summary>utime + stime of a process, in clock ticks; null when it cannot be read (gone, or not ours to read).</summary>
    internal static long? CpuTicks(string statPath)
    {
        string text;
        try
        {
            text = File.ReadAllText(statPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields are counted after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // fields[0] is the state (field 3); utime and stime are fields 14 and 15.
        return fields.Length > 12
            && long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var utime)
            && long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var stime)
            ? utime + stime
            : null;
    }

    /// <summary>VmRSS in KiB; null when unreadable.</summary>
    internal static long? RssKib(string statusPath)
    {
        try
        {
            foreach (var line in File.ReadLines(statusPath))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var value = line["VmRSS:".Length..].Trim();
                    var space = value.IndexOf(' ', StringComparison.Ordinal);
                    return long.TryParse(space < 0 ? value : value[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var kib) ? kib : null;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return null;
    }

    private (long Ticks, long RssKib, bool Any) Read()
    {
        long ticks = 0, rss = 0;
        var any = false;
        foreach (var pid in _pids)
        {
            var directory = Path.Combine(_procRoot, pid.ToString(CultureInfo.InvariantCulture));
            if (CpuTicks(Path.Combine(directory, "stat")) is { } t)
            {
                ticks += t;
                any = true;
            }

            rss += RssKib(Path.Combine(directory, "status")) ?? 0;
        }

        return (ticks, rss, any);
    }

    private async Task LoopAsync()
    {
        var previous = Read();
        var previousAt = Stopwatch.GetTimestamp();
        _rssMax = previous.RssKib;
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var current = Read();
                var now = Stopwatch.GetTimestamp();
                if (current.Any && previous.Any)
                {
                    var seconds = Stopwatch.GetElapsedTime(previousAt, now).TotalSeconds;
                    _cpu.Add(Math.Max(0, (current.Ticks - previous.Ticks) / ClockTicksPerSecond / seconds * 100));
                    Interlocked.Increment(ref _samples);
                }

                _rssMax = Math.Max(_rssMax, current.RssKib);
                previous = current;
                previousAt = now;
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }
}
