using System.Collections.Concurrent;

namespace Poddle.Core.Deployments;

/// <summary>
/// The provider's cost per hour of Poddle's pods, by driver and pod id, as last seen (the fleet reconciliation's listing,
/// a pool's spawn on a driver that knows costs). Pods of drivers without costs (sandbox, Docker) are never in it.
/// </summary>
public sealed class PodCosts
{
    private readonly ConcurrentDictionary<(string Driver, string PodId), decimal> _costs = new();

    /// <summary>Remembers a pod's cost per hour.</summary>
    public void Set(string driver, string podId, decimal costPerHour) => _costs[(driver, podId)] = costPerHour;

    /// <summary>The pod's last known cost per hour; null when unknown.</summary>
    public decimal? Get(string driver, string podId) => _costs.TryGetValue((driver, podId), out var cost) ? cost : null;

    /// <summary>Forgets the driver's pods not in <paramref name="live"/> (terminated since).</summary>
    public void Retain(string driver, IReadOnlySet<string> live)
    {
        foreach (var key in _costs.Keys.Where(k => k.Driver == driver && !live.Contains(k.PodId)))
        {
            _costs.TryRemove(key, out _);
        }
    }
}
