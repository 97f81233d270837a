namespace Poddle.Core.Pools.Runtime;

/// <summary>
/// One worker of a pool as the controller keeps it: its pod (driver, handle) and its lifecycle state
/// (<see cref="Scaling.WorkerStates"/> wire name). <see cref="State"/> changes only through
/// <see cref="PoolWorkerRecorder.Move"/>, which applies <see cref="Scaling.WorkerLifecycle.Move"/> and stores the
/// transition as a <see cref="PoolEvent"/>. Final rows (terminated, failed) are kept for the pool's history until the
/// pool is deleted (cascade) or the controller trims them.
/// </summary>
public sealed class PoolWorker
{
    /// <summary>The worker's id (RUNPOD_POD_ID): 32 hex digits.</summary>
    public required string WorkerId { get; init; }

    public Guid PoolId { get; init; }

    /// <summary>The driver its pod runs on.</summary>
    public required string Driver { get; init; }

    /// <summary>The driver's pod id; null before the pod started (spawning) or when it never did.</summary>
    public string? PodId { get; set; }

    public int PodStateVersion { get; set; }

    public string? PodState { get; set; }

    /// <summary>A <see cref="Scaling.WorkerStates"/> wire name.</summary>
    public required string State { get; set; }

    /// <summary>The reason of the last transition (<see cref="Scaling.WorkerTransitionReasons"/>).</summary>
    public string? Reason { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When <see cref="State"/> last changed (an idle worker's idle-since).</summary>
    public DateTimeOffset StateChangedAt { get; set; }

    /// <summary>The worker's last ping, take or result as the controller last read it (its key's LastSeenAt).</summary>
    public DateTimeOffset? LastPingAt { get; set; }
}
