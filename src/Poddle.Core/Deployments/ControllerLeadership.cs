using Microsoft.Extensions.Options;
using Poddle.Core.Jobs;

namespace Poddle.Core.Deployments;

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
