namespace Poddle.Core.Pools;

/// <summary>
/// A worker's credential (RUNPOD_AI_API_KEY): one per worker, stored as a SHA-256 hash, good for its own pool's worker
/// endpoints only. Deleted with its pool; <see cref="PoolWorkerProtocol.RevokeWorkerAsync"/> ends it with its worker.
/// </summary>
public sealed class PoolWorkerKey
{
    /// <summary>The worker's id (RUNPOD_POD_ID).</summary>
    public required string WorkerId { get; init; }

    public Guid PoolId { get; init; }

    /// <summary>Hex SHA-256 of the key; the key itself is only in the worker's environment.</summary>
    public required string KeyHash { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The worker's last ping or job request (liveness for the wiring: silent three ping intervals = lost).</summary>
    public DateTimeOffset? LastSeenAt { get; set; }
}
