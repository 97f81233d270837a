using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Poddle.Core.Deployments;

namespace Poddle.Core.Fleet;

/// <summary>
/// Fleet and spend metrics, names agreed with the Prometheus rules (deploy/prometheus): on the Meter "Poddle.Fleet"
/// <c>poddle_fleet_orphan_pods{driver}</c> and <c>poddle_fleet_orphan_cost_per_hour{driver}</c> (gauges, every
/// registered driver from the start, 0 when none) and <c>poddle_fleet_reconcile_findings_total{driver,finding}</c>; on
/// "Poddle.Owner" <c>poddle_owner_spend_per_hour{owner}</c>. Costs are USD per hour; owners are ids, never names. A
/// pool's spend is <see cref="Pools.Scaling.PoolSpendMetrics"/>.
/// </summary>
public sealed class FleetMetrics : IDisposable
{
    public const string FleetMeterName = "Poddle.Fleet";
    public const string OwnerMeterName = "Poddle.Owner";

    private readonly Meter _fleet;
    private readonly Meter _owner;
    private readonly Counter<long> _findings;
    private readonly ConcurrentDictionary<string, (int Count, decimal Cost)> _orphans = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, decimal> _ownerSpend = new(StringComparer.Ordinal);

    public FleetMetrics(IMeterFactory meters, PodDriverRegistry drivers)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(drivers);
        foreach (var name in drivers.Names)
        {
            _orphans[name] = (0, 0m);
        }

        _fleet = meters.Create(FleetMeterName);
        _owner = meters.Create(OwnerMeterName);
        _findings = _fleet.CreateCounter<long>("reconcile_findings_total", description: "What fleet reconciliations found, by driver and finding");
        _fleet.CreateObservableGauge("orphan_pods", () => _orphans.Select(o => new Measurement<long>(o.Value.Count, new KeyValuePair<string, object?>("driver", o.Key))), description: "Pods with this installation's labels that no replica or worker owns");
        _fleet.CreateObservableGauge("orphan_cost_per_hour", () => _orphans.Select(o => new Measurement<double>((double)o.Value.Cost, new KeyValuePair<string, object?>("driver", o.Key))), description: "What the orphans cost per hour, where the provider says");
        _owner.CreateObservableGauge("spend_per_hour", () => _ownerSpend.Select(p => new Measurement<double>((double)p.Value, new KeyValuePair<string, object?>("owner", p.Key))), description: "What the owner's running pods cost per hour");
    }

    /// <summary>Counts one finding of a reconciliation.</summary>
    public void Found(string driver, string finding) =>
        _findings.Add(1, new KeyValuePair<string, object?>("driver", driver), new KeyValuePair<string, object?>("finding", finding));

    /// <summary>The orphans a driver has now.</summary>
    public void Orphans(string driver, int count, decimal costPerHour) => _orphans[driver] = (count, costPerHour);

    /// <summary>Every owner's spend now (owners not named are reported as 0 until they spend again).</summary>
    public void OwnerSpend(IReadOnlyDictionary<string, decimal> byOwner)
    {
        ArgumentNullException.ThrowIfNull(byOwner);
        foreach (var owner in _ownerSpend.Keys.Where(o => !byOwner.ContainsKey(o)))
        {
            _ownerSpend[owner] = 0m;
        }

        foreach (var (owner, spend) in byOwner)
        {
            _ownerSpend[owner] = spend;
        }
    }

    public void Dispose()
    {
        _fleet.Dispose();
        _owner.Dispose();
    }
}
