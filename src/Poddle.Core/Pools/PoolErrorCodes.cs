namespace Poddle.Core.Pools;

/// <summary>Stable problem codes of pools and their jobs (wire values).</summary>
public static class PoolErrorCodes
{
    /// <summary>Another pool of the owner has the name.</summary>
    public const string NameTaken = "pool-name-taken";


    /// <summary>The pool's queue holds <see cref="PoolOptions.MaxQueuedJobs"/> jobs already (429).</summary>
    public const string QueueFull = "pool-queue-full";

    /// <summary>The job is not in a state the operation applies to (retry of a job that did not fail).</summary>
    public const string JobState = "pool-job-state";

    /// <summary>A worker key that is unknown, or not of this pool (401).</summary>
    public const string WorkerKey = "pool-worker-key";
}
