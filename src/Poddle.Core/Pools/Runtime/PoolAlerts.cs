using System.Globalization;
using Poddle.Core.Alerts;
using Poddle.Core.Deployments;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Pools.Runtime;

/// <summary>
/// A pool's alerts for its owner (docs/alerts.md): a worker that cannot start raises <c>pool:{id}:spawn-failed</c> (once
/// per incident: the notifier dedupes), and the next worker that starts resolves it. The notifier never throws.
/// </summary>
public sealed class PoolAlerts(IAlertNotifier alerts)
{
    public const string SpawnFailed = "spawn-failed";

    public static string Key(Guid poolId, string kind) => string.Create(CultureInfo.InvariantCulture, $"pool:{poolId}:{kind}");

    public Task SpawnFailedAsync(Pool pool, Exception failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(failure);
        var reason = failure is PodDriverException driver ? ReplicaPods.ReasonOf(driver) : failure.Message;
        return alerts.RaiseAsync(
            new Alert(Key(pool.Id, SpawnFailed), AlertLevel.Warning, $"Pool {pool.Name} cannot start workers", $"A worker of pool {pool.Name} ({pool.Driver}) could not start: {reason}. Its jobs wait in the queue.", pool.OwnerId),
            cancellationToken);
    }

    public Task SpawnedAsync(Guid poolId, CancellationToken cancellationToken) => alerts.ResolveAsync(Key(poolId, SpawnFailed), cancellationToken);
}
