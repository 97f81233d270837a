using Poddle.Core.Common;

namespace Poddle.Core.Deployments;

/// <summary>The guard of an installation without billing: everything is affordable.</summary>
public sealed class UnbilledDeployments : IDeploymentBalanceGuard
{
    public Task<Error?> CheckAsync(Guid ownerId, ResourceSpec resources, int replicas, CancellationToken cancellationToken) =>
        Task.FromResult<Error?>(null);

    public Task<Error?> CheckWorkersAsync(Guid ownerId, Guid? poolId, ResourceSpec resources, int workers, CancellationToken cancellationToken) =>
        Task.FromResult<Error?>(null);
}
