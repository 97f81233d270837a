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

    /// <summary>Completes when this process stores the execution's result (or a part of it). Take it before reading the execution's state.</summary>
    public Task Finished(Guid executionId) =>
        _waiters.GetOrAdd(executionId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Called after the result is committed.</summary>
    public void Finish(Guid executionId) => Changed(executionId);

    /// <summary>
    /// Called after a part of the result is committed (a graded submission's finished case): wakes the waiters, which
    /// read the state again; a waiter that wants more takes <see cref="Finished"/> again (a new task) before reading.
    /// </summary>
    public void Changed(Guid id)
    {
        if (_waiters.TryRemove(id, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>
    /// Reads <paramref name="id"/>'s state with <paramref name="load"/> until <paramref name="done"/> says it is finished
    /// (or it is gone) or <paramref name="timeout"/> passes, and returns the latest state. Woken in-process by
    /// <see cref="Finish"/>; polls every <paramref name="pollInterval"/> for a worker on another server. Executions and
    /// graded submissions both wait this way.
    /// </summary>
    public async Task<T?> WaitAsync<T>(
        Guid id, Func<CancellationToken, Task<T?>> load, Func<T, bool> done, TimeSpan timeout, TimeSpan pollInterval, TimeProvider clock, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(done);
        ArgumentNullException.ThrowIfNull(clock);
        var deadline = clock.GetUtcNow() + timeout;
        while (true)
        {
            var finished = Finished(id);
            var state = await load(cancellationToken);
            if (state is null || done(state))
            {
                return state;
            }

            var remaining = deadline - clock.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                Forget(id, finished);
                return state;
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(finished, Task.Delay(remaining < pollInterval ? remaining : pollInterval, clock, stop.Token));
            await stop.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
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
