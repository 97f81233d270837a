namespace Poddle.Core.Pools.Runtime;

/// <summary>
/// One stretch of time a pool worker's pod ran, as the pool controller recorded it: from the moment the worker left
/// spawning (its pod started) to the moment it reached a final state (terminated, failed) or its row was deleted. Usage
/// billing meters pools from these rows as it meters deployments from replica runs. Written only by
/// <see cref="PoolWorkerRunRecorder"/>. Invariant: at most one row per worker has no <see cref="StoppedAt"/>, and that
/// row exists exactly while the worker is in a <see cref="PoolWorkerRunRecorder.IsBilled">billed state</see>.
/// No foreign key to the pool: a deleted pool's last hours are still billed, so the row keeps its owner, name and the
/// worker's resources (a pool's spec may change; each run keeps what its worker started with).
/// </summary>
public sealed class PoolWorkerRun
{
    public Guid Id { get; init; }

    public Guid PoolId { get; init; }

    public Guid OwnerId { get; init; }

    public required string PoolName { get; init; }

    public required string WorkerId { get; init; }

    public int CpuMillicores { get; init; }

    public int MemoryMb { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Null while the worker's pod runs.</summary>
    public DateTimeOffset? StoppedAt { get; set; }
}
