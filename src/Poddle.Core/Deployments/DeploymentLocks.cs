namespace Poddle.Core.Deployments;

/// <summary>
/// One in-process lock per deployment: the converge job, the health monitor and the reconciler change a deployment's
/// replicas only while holding it, and re-read the rows inside it, so their steps never interleave on one server.
/// Across servers the controller lease (<see cref="ControllerLeadership"/>) keeps all of them on one server.
/// </summary>
/// <remarks>
/// Invariant: a deployment has an entry exactly while someone holds or waits for its lock; the last one to leave (by
/// releasing, or by giving up the wait) removes it, so the map holds only the deployments being worked on now and
/// does not grow with every deployment the server has ever seen.
/// </remarks>
public sealed class DeploymentLocks
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, Entry> _entries = [];

    /// <summary>Deployments whose lock is held or awaited now (for tests).</summary>
    internal int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Waits for the deployment's lock; dispose the result to release it.</summary>
    public async Task<IDisposable> AcquireAsync(Guid deploymentId, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(deploymentId, out entry!))
            {
                entry = new Entry();
                _entries.Add(deploymentId, entry);
            }

            entry.Users++;
        }

        try
        {
            await entry.Semaphore.WaitAsync(cancellationToken);
        }
        catch
        {
            Leave(deploymentId, entry);
            throw;
        }

        return new Releaser(this, deploymentId, entry);
    }

    private void Leave(Guid deploymentId, Entry entry)
    {
        lock (_gate)
        {
            if (--entry.Users == 0)
            {
                _entries.Remove(deploymentId);
                entry.Semaphore.Dispose();
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        /// <summary>Holders and waiters; changed only under the map's lock.</summary>
        public int Users { get; set; }
    }

    private sealed class Releaser(DeploymentLocks locks, Guid deploymentId, Entry entry) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                // Released before leaving: a waiter (which counts as a user) keeps the entry, and takes the semaphore.
                entry.Semaphore.Release();
                locks.Leave(deploymentId, entry);
            }
        }
    }
}
