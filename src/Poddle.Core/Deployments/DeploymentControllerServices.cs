using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Poddle.Core.Jobs;
namespace Poddle.Core.Deployments;

/// <summary>
/// One in-process lock per deployment: the converge job, the health monitor and the reconciler change a deployment's
/// replicas only while holding it, and re-read the rows inside it, so their steps never interleave on one server.
/// Across servers the controller lease (<see cref="ControllerLeadership"/>) keeps all of them on one server.
/// </summary>
public sealed class DeploymentLocks
{
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _locks = new();

    /// <summary>Waits for the deployment's lock; dispose the result to release it.</summary>
    public async Task<IDisposable> AcquireAsync(Guid deploymentId, CancellationToken cancellationToken)
    {
        var semaphore = _locks.GetOrAdd(deploymentId, _ => new SemaphoreSlim(1, 1));
        await semaphore.WaitAsync(cancellationToken);
        return new Releaser(semaphore);
    }

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}

/// <summary>
/// Opens once the reconciler's startup pass has re-adopted the pods of an earlier process: nothing else (converge
/// jobs, the health monitor) touches pods before, so a restarted server never restarts or duplicates a running replica.
/// </summary>
public sealed class DeploymentControllerStartup
{
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsOpen => _opened.Task.IsCompleted;

    public void Open() => _opened.TrySetResult();

    public Task WaitAsync(CancellationToken cancellationToken) => _opened.Task.WaitAsync(cancellationToken);
}

/// <summary>
/// Whether this server runs the deployment controller now: it holds the "deployment-controller" lease in the database
/// (renewed while it runs, taken over by another server when it stops renewing). With one server (SQLite) it always
/// does; with several sharing PostgreSQL exactly one (with job workers) probes, restarts, reconciles and runs converge steps.
/// A server restarted after a kill -9 takes back the lease its previous process held at once (<see cref="ServerInstance"/>).
/// </summary>
public sealed class ControllerLeadership(ControllerStore store, ServerInstance instance, IOptions<JobsOptions> jobs, TimeProvider clock)
{
    public const string LeaseName = "deployment-controller";
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(30);

    private readonly string _owner = $"{instance.LeasePrefix}{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
    private DateTimeOffset? _validUntil;

    /// <summary>This server's lease owner name.</summary>
    public string Owner => _owner;

    /// <summary>True while this server holds the lease; renews it when a third of it has passed.</summary>
    public async Task<bool> IsLeaderAsync(CancellationToken cancellationToken)
    {
        if (jobs.Value.Workers == 0)
        {
            // An API-only server runs no jobs, so it must not hold the lease that converge jobs wait for.
            return false;
        }

        var now = clock.GetUtcNow();
        if (_validUntil is { } until && now < until - (LeaseDuration * 2 / 3))
        {
            return true;
        }

        if (await store.TryHoldLeaseAsync(LeaseName, _owner, LeaseDuration, cancellationToken, instance.Persistent ? instance.LeasePrefix : null))
        {
            _validUntil = now + LeaseDuration;
            return true;
        }

        _validUntil = null;
        return false;
    }
}

/// <summary>Fixed controller timings (Kubernetes' defaults where Kubernetes has one).</summary>
public static class ControllerTimings
{
    /// <summary>First crash-restart back-off; doubles per consecutive crash.</summary>
    public static readonly TimeSpan CrashBackoffBase = TimeSpan.FromSeconds(10);

    /// <summary>Longest crash-restart back-off.</summary>
    public static readonly TimeSpan CrashBackoffMax = TimeSpan.FromMinutes(5);

    /// <summary>A replica ready this long has its crash streak reset.</summary>
    public static readonly TimeSpan CrashStreakReset = TimeSpan.FromMinutes(10);

    /// <summary>At most one user notification per deployment in this window.</summary>
    public static readonly TimeSpan NotificationThrottle = TimeSpan.FromMinutes(5);

    /// <summary>How often the health monitor looks at every replica (probes follow their own period).</summary>
    public static readonly TimeSpan MonitorTick = TimeSpan.FromSeconds(1);

    /// <summary>Between two converge steps while a rollout waits for readiness.</summary>
    public static readonly TimeSpan ConvergeStep = TimeSpan.FromSeconds(1);

    /// <summary>The back-off after crash number <paramref name="streak"/> (1-based): 10 s, 20 s, 40 s … 5 min.</summary>
    public static TimeSpan CrashBackoff(int streak)
    {
        var exponent = Math.Clamp(streak - 1, 0, 20);
        var ticks = Math.Min(CrashBackoffMax.Ticks, CrashBackoffBase.Ticks * (1L << exponent));
        return TimeSpan.FromTicks(ticks);
    }
}
