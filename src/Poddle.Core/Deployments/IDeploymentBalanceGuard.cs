using Poddle.Core.Common;

namespace Poddle.Core.Deployments;

/// <summary>
/// Asked before a deployment or a pool is created or scaled up: may its owner afford it? A seam because billing builds on
/// deployments (it meters their replicas), so deployments cannot call billing directly; billing registers the real
/// guard, and without billing every deployment is affordable (<see cref="UnbilledDeployments"/>).
/// </summary>
public interface IDeploymentBalanceGuard
{
    /// <summary>Null when <paramref name="ownerId"/> may run <paramref name="replicas"/> replicas with <paramref name="resources"/>; else the error (402).</summary>
    Task<Error?> CheckAsync(Guid ownerId, ResourceSpec resources, int replicas, CancellationToken cancellationToken);

    /// <summary>
    /// Null when <paramref name="ownerId"/> may run <paramref name="workers"/> workers of pool <paramref name="poolId"/>
    /// (null for a pool being created) with <paramref name="resources"/>; else the error (402).
    /// </summary>
    Task<Error?> CheckWorkersAsync(Guid ownerId, Guid? poolId, ResourceSpec resources, int workers, CancellationToken cancellationToken);
}
