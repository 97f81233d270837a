using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Poddle.Core.Pools.Scaling;

/// <summary>
/// A pool's spend on the Meter "Poddle.Pool" (names agreed with the Prometheus rules, deploy/prometheus):
/// <c>poddle_pool_spend_per_hour{pool}</c> (USD per hour of its running pods) and <c>poddle_pool_budget_reached{pool}</c>
/// (0/1). Pools are ids, never names (user text).
/// </summary>
public sealed class PoolSpendMetrics : IDisposable
{
    public const string MeterName = "Poddle.Pool";

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<string, decimal> _spend = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _reached = new(StringComparer.Ordinal);

    public PoolSpendMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge("spend_per_hour", () => _spend.Select(p => new Measurement<double>((double)p.Value, new KeyValuePair<string, object?>("pool", p.Key))), description: "What the pool's running pods cost per hour, USD");
        _meter.CreateObservableGauge("budget_reached", () => _reached.Select(p => new Measurement<long>(p.Value ? 1 : 0, new KeyValuePair<string, object?>("pool", p.Key))), description: "1 while the pool's spend has reached its budget per hour (no scale-up)");
    }

    /// <summary>A pool's spend and whether it has reached its budget; returns whether it had at the last report (null: first).</summary>
    public bool? Report(string pool, decimal perHour, bool budgetReached)
    {
        _spend[pool] = perHour;
        bool? was = _reached.TryGetValue(pool, out var before) ? before : null;
        _reached[pool] = budgetReached;
        return was;
    }

    /// <summary>Stops reporting a deleted pool.</summary>
    public void Forget(string pool)
    {
        _spend.TryRemove(pool, out _);
        _reached.TryRemove(pool, out _);
    }

    public void Dispose() => _meter.Dispose();
}
