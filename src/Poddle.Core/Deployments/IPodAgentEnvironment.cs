using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Deployments;

/// <summary>
/// The environment a replica's pod needs for its `poddle agent` to report back (the server's address and a new token for
/// the replica, replacing its previous pod's). Owned by deployments, implemented by Poddle.Core.Agents, so deployments
/// start pods without depending on agents.
/// </summary>
public interface IPodAgentEnvironment
{
    /// <summary>The variables to add to the pod's env; empty when the pod could not reach this server (no agent then).</summary>
    Task<IReadOnlyDictionary<string, string>> ForReplicaAsync(IPodDriver driver, Guid replicaId, CancellationToken cancellationToken);
}
