namespace Poddle.Core.Pools;

/// <summary>RunPod's /health: job counts of a pool (the jobs still kept) and its workers by state.</summary>
public sealed record PoolHealth(PoolJobCounts Jobs, PoolWorkerCounts Workers);

/// <summary>Jobs by status; <see cref="Failed"/> holds timed-out ones too; <see cref="Retried"/> counts jobs that went back to the queue at least once.</summary>
public sealed record PoolJobCounts(int Completed, int Failed, int InProgress, int InQueue, int Retried);

/// <summary>Workers by state (RunPod's names), from the pool controller's worker rows.</summary>
public sealed record PoolWorkerCounts(int Idle, int Initializing, int Ready, int Running, int Throttled)
{
    public static PoolWorkerCounts None { get; } = new(0, 0, 0, 0, 0);
}
