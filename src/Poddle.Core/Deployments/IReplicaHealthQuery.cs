namespace Poddle.Core.Deployments;

/// <summary>
/// Replicas' health as their pods' agents last reported it: the one question deployments ask of the agents feature
/// (Poddle.Core.Agents implements it), so deployments do not depend on agents.
/// </summary>
public interface IReplicaHealthQuery
{
    /// <summary>Health per replica id; replicas without a report are absent (callers show <see cref="PodHealth.Unknown"/>).</summary>
    Task<IReadOnlyDictionary<Guid, PodHealth>> GetAsync(IReadOnlyCollection<Guid> replicaIds, CancellationToken cancellationToken);
}
