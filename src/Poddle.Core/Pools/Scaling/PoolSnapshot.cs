namespace Poddle.Core.Pools.Scaling;

/// <summary>What a pool looks like now: its queue and its workers (every server's). Built by the caller from the
/// database and the drivers; the engine never reads either.</summary>
/// <param name="QueuedJobs">Jobs waiting for a worker.</param>
/// <param name="OldestQueuedWait">How long the oldest of them has waited (zero with an empty queue).</param>
/// <param name="InProgressJobs">Jobs a worker holds.</param>
/// <param name="Workers">Every worker not yet terminated or failed (those are ignored if passed).</param>
/// <param name="MeanJobDuration">Recent mean execution time, when known: lets the queue-delay scaler act before the
/// oldest job reaches the target instead of after.</param>
/// <param name="SpendPerHour">What the pool's pods cost now, USD per hour (the providers' cost per hour; 0 where unknown).</param>
/// <param name="CostPerWorker">What one more worker would cost per hour, when known: the budget then also limits how
/// many are started at once.</param>
public sealed record PoolSnapshot(
    int QueuedJobs,
    TimeSpan OldestQueuedWait,
    int InProgressJobs,
    IReadOnlyList<PoolWorkerView> Workers,
    TimeSpan? MeanJobDuration = null,
    decimal SpendPerHour = 0m,
    decimal? CostPerWorker = null);
