using Poddle.Core.Executions;

namespace Poddle.Core.Pools;

/// <summary>
/// In-process wake-ups of the serverless API: a job reached a final status (/runsync, /status-sync wait on it), a job
/// got a stream chunk (/stream), a pool's queue got a job (workers' /job-take long-polls on it). Each is the same
/// keyed one-shot signal as executions' (<see cref="ExecutionNotifier"/>). A waiter on another server (PostgreSQL, many
/// servers) is woken by its fallback re-read instead. <see cref="QueueChanged"/> is the hook the autoscaler's wiring
/// subscribes to, so a new job, a finished job and a lost worker trigger a decision at once.
/// </summary>
public sealed class PoolJobNotifier
{
    /// <summary>Raised after a pool's queue changed (a job queued, taken back, finished, cancelled or purged), with the pool's id.</summary>
    public event Action<Guid>? QueueChanged;

    /// <summary>Raised when a worker asked to be recycled after its job (RunPod's <c>stopPod</c>), with the worker's id.</summary>
    public event Action<string>? WorkerStopRequested;

    /// <summary>Keyed by job id: completes when the job reaches a final status.</summary>
    internal ExecutionNotifier Finished { get; } = new();

    /// <summary>Keyed by job id: completes when the job gets a stream chunk or reaches a final status.</summary>
    internal ExecutionNotifier Streamed { get; } = new();

    /// <summary>Completes when a job is queued in the pool (shared by the pool's long-polling workers).</summary>
    internal PoolQueueSignal Queued { get; } = new();

    /// <summary>Something outside the queue needs the pool's pass now (the fleet reconciliation saw a worker's pod vanish).</summary>
    internal void PoolChanged(Guid poolId) => QueueChanged?.Invoke(poolId);

    /// <summary>After a job was committed in a final status.</summary>
    internal void JobFinished(Guid poolId, Guid jobId)
    {
        Finished.Finish(jobId);
        Streamed.Finish(jobId);
        QueueChanged?.Invoke(poolId);
    }

    /// <summary>After a job was committed queued (new, retried, taken back from a lost worker).</summary>
    internal void JobQueued(Guid poolId)
    {
        Queued.Signal(poolId);
        QueueChanged?.Invoke(poolId);
    }

    /// <summary>After a worker's result asked for the worker to be stopped.</summary>
    internal void StopRequested(string workerId) => WorkerStopRequested?.Invoke(workerId);

    /// <summary>After other changes of a pool's queue (a job taken, jobs purged).</summary>
    internal void Changed(Guid poolId) => QueueChanged?.Invoke(poolId);
}
