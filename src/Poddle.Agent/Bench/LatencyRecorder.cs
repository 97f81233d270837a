using System.Diagnostics;

namespace Poddle.Agent.Bench;

/// <summary>
/// Latencies of one client (no locking: each concurrent client has its own), merged at the end of a level.
/// Stopwatch ticks are kept raw; percentiles are exact (sorted), not bucketed.
/// </summary>
internal sealed class LatencyRecorder
{
    private readonly List<long> _ticks = new(4096);

    public int Count => _ticks.Count;

    public void Add(long ticks) => _ticks.Add(ticks);

    public static BenchLatency? Summarize(IEnumerable<LatencyRecorder> recorders)
    {
        var all = recorders.SelectMany(r => r._ticks).ToArray();
        return Summarize(all);
    }

    /// <summary>Nearest-rank percentiles (p50 of 1..100 is 50) of <paramref name="ticks"/>, in milliseconds; null when empty.</summary>
    public static BenchLatency? Summarize(long[] ticks)
    {
        if (ticks.Length == 0)
        {
            return null;
        }

        Array.Sort(ticks);
        double Ms(long t) => Math.Round(t * 1000.0 / Stopwatch.Frequency, 3);
        long Rank(double p) => ticks[Math.Clamp((int)Math.Ceiling(p / 100 * ticks.Length) - 1, 0, ticks.Length - 1)];
        return new BenchLatency(Ms(ticks[0]), Math.Round(ticks.Average() * 1000.0 / Stopwatch.Frequency, 3), Ms(Rank(50)), Ms(Rank(95)), Ms(Rank(99)), Ms(ticks[^1]));
    }
}
