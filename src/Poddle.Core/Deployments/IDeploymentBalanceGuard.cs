using Poddle.Core.Common;

namespace Poddle.Core.Deployments;

/// <summary>
/// Asked before a deployment is created or scaled up: may its owner afford it? A seam because billing builds on
/// deployments (it meters their replicas), so deployments cannot call billing directly; billing registers the real
/// guard, and without billing every deployment is affordable (<see cref="UnbilledDeployments"/>).
/// </summary>
public interface IDeploymentBalanceGuard
{
    /// <summary>Null when <paramref name="ownerId"/> may run <paramref name="replicas"/> replicas with <paramref name="resources"/>; else the error (402).</summary>
    Task<Error?> CheckAsync(Guid ownerId, ResourceSpec resources, int replicas, CancellationToken cancellationToken);
}
