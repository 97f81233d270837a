using System.Collections.Concurrent;

namespace Poddle.Core.Executions;

/// <summary>
/// The in-process push from the worker that finished an execution to the requests waiting for it (<c>?wait=true</c>,
/// the Piston API), so a waiter answers as soon as the result is stored rather than at its next poll. A waiter on
/// another server (PostgreSQL, many servers) falls back to polling the database.
/// </summary>
public sealed class ExecutionNotifier
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _waiters = new();

    /// <summary>Completes when this process stores the execution's result. Take it before reading the execution's state.</summary>
    public Task Finished(Guid executionId) =>
        _waiters.GetOrAdd(executionId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Called after the result is committed.</summary>
    public void Finish(Guid executionId)
    {
        if (_waiters.TryRemove(executionId, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>Forgets the waiters of an execution nobody waits for any more (timeout).</summary>
    public void Forget(Guid executionId, Task finished)
    {
        if (!finished.IsCompleted && _waiters.TryGetValue(executionId, out var waiter) && waiter.Task == finished)
        {
            // Only when no other request took the same task in the meantime would this be exact; a forgotten waiter of
            // a still-running execution simply falls back to polling, so removing is always safe.
            _waiters.TryRemove(new KeyValuePair<Guid, TaskCompletionSource>(executionId, waiter));
        }
    }
}
