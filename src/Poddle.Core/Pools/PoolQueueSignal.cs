using System.Collections.Concurrent;

namespace Poddle.Core.Pools;

/// <summary>
/// Wakes the workers long-polling a pool's queue (job-take) when a job is queued there. Unlike a per-request waiter, a
/// pool's signal is shared by all its workers and never forgotten on a timeout (forgetting it would leave the other
/// waiters to their fallback re-read); an entry exists per pool someone waits on, so the map stays as small as the
/// number of pools.
/// </summary>
public sealed class PoolQueueSignal
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _next = new();

    /// <summary>Completes at the next job queued in the pool. Take it before looking at the queue.</summary>
    public Task Next(Guid poolId) =>
        _next.GetOrAdd(poolId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Called after a job of the pool was committed queued.</summary>
    public void Signal(Guid poolId)
    {
        if (_next.TryRemove(poolId, out var waiters))
        {
            waiters.TrySetResult();
        }
    }
}
