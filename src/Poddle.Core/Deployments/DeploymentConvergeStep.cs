using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Deployments;

/// <summary>
/// One converge step of one deployment (run by <see cref="DeploymentConvergeHandler"/> under the deployment's lock):
/// probe new replicas; roll back automatically past the progress deadline; roll over a revision superseded mid-rollout
/// (its replicas make way for the current one); retire old replicas once a new one is ready (surge of one, so a ready
/// replica always serves); start missing replicas; scale down newest first; delete. It re-reads the rows, so a step is
/// idempotent. Driver failures become reasons; a permanent one (image missing) fails the deployment (or rolls back), a
/// transient one throws <see cref="DeploymentStepFailedException"/> for the queue to retry after the pods this attempt
/// started are destroyed.
/// </summary>
/// <remarks>
/// Scoped like the <see cref="PoddleDbContext"/> it changes: one run at a time; each run starts afresh. Split by concern:
/// this file decides the step; .Replicas.cs probes, starts, retires and settles replicas; .Rollout.cs supersedes
/// revisions; .Failures.cs handles the progress deadline, rollbacks and pods that could not start.
/// </remarks>
public sealed partial class DeploymentConvergeStep(
    PoddleDbContext db,
    PodDriverRegistry drivers,
    ReplicaPods pods,
    ReplicaProber prober,
    DeploymentEventRecorder events,
    DeploymentNotifier notifier,
    DeploymentChangeSignal changes,
    IOptions<DeploymentOptions> options,
    TimeProvider clock,
    ILogger<DeploymentConvergeStep> logger)
{
    private readonly List<Replica> _startedNow = [];

    /// <summary>Whether this run changed what the proxy routes to (a replica became ready or left).</summary>
    private bool RoutingChanged { get; set; }

    /// <summary>
    /// Runs one step of <paramref name="deploymentId"/>; the caller holds the deployment's lock and saves the unit of
    /// work afterwards (the step saves on its own only where a row must exist before a pod does).
    /// </summary>
    public async Task<ConvergeStepResult> RunAsync(Guid deploymentId, JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _startedNow.Clear();
        RoutingChanged = false;
        var settled = await ConvergeAsync(deploymentId, context, cancellationToken);
        return new ConvergeStepResult(settled, RoutingChanged);
    }

    private async Task<bool> ConvergeAsync(Guid deploymentId, JobContext context, CancellationToken cancellationToken)
    {
        var d = await db.Deployments.FirstOrDefaultAsync(x => x.Id == deploymentId, cancellationToken);
        if (d is null)
        {
            return true;
        }

        var replicas = await db.Replicas.Where(r => r.DeploymentId == d.Id && r.Phase != ReplicaPhase.Stopped).ToListAsync(cancellationToken);
        var driver = drivers.Find(d.Driver);
        if (d.DeletedAt is not null || d.Status is DeploymentStatus.Deleting or DeploymentStatus.Deleted)
        {
            return await DeleteAsync(d, replicas, driver, cancellationToken);
        }

        if (driver is null)
        {
            await events.SetStatusAsync(d, DeploymentStatus.Failed, $"driver not available on this server: {d.Driver}", cancellationToken);
            d.ObservedGeneration = d.Generation;
            return true;
        }

        var revisions = await db.DeploymentRevisions.Where(r => r.DeploymentId == d.Id).ToListAsync(cancellationToken);
        var current = revisions.Single(r => r.Number == d.CurrentRevision);
        var fresh = replicas.Where(r => IsCurrent(d, r, current, revisions)).OrderBy(r => r.CreatedAt).ToList();
        var old = replicas.Except(fresh).ToList();

        if (d.ObservedGeneration < d.Generation && d.Status != DeploymentStatus.Provisioning)
        {
            await events.SetStatusAsync(d, DeploymentStatus.Provisioning, $"applying revision {current.Number} with {d.Replicas} replicas", cancellationToken);
        }

        await ProbeNewAsync(driver, current, fresh, cancellationToken);
        var now = clock.GetStoredUtcNow();
        var deadline = options.Value.ProgressDeadline;

        // A revision that superseded another mid-rollout gets its own deadline, counted from its creation.
        var progressingSince = d.StatusChangedAt > current.CreatedAt ? d.StatusChangedAt : current.CreatedAt;
        if (d.Status == DeploymentStatus.Provisioning && now - progressingSince > deadline && fresh.Count(r => r.Ready) < d.Replicas)
        {
            var why = fresh.Where(r => r.LastExitReason is not null).OrderByDescending(r => r.LastExitAt).Select(r => r.LastExitReason).FirstOrDefault()
                ?? (fresh.Count == 0 ? "no replica started" : "readiness probe failing");
            return await DeadlineExceededAsync(d, driver, current, revisions, fresh, old, $"revision {current.Number} not ready within {deadline}: {why}", cancellationToken);
        }

        try
        {
            await RollOverAsync(d, driver, current, revisions, old, cancellationToken);
            foreach (var orphaned in fresh.Where(r => r.Phase == ReplicaPhase.Starting && r.PodId is null))
            {
                // A step that died between saving the row and saving the pod's handle: adopt its pod (or start one).
                _startedNow.Add(orphaned);
                await pods.StartAsync(driver, d, current, orphaned, cancellationToken);
            }

            while (true)
            {
                var readyFresh = fresh.Count(r => r.Ready);
                if (old.Count > 0)
                {
                    if ((readyFresh > 0 && fresh.Count + old.Count > d.Replicas) || (fresh.Count >= d.Replicas && readyFresh == fresh.Count))
                    {
                        // Traffic switch: a new replica is ready, so one old one leaves (not-ready ones first).
                        var victim = old.OrderBy(r => r.Ready).ThenByDescending(r => r.CreatedAt).First();
                        await RetireAsync(d, driver, victim, $"replaced by revision {current.Number}", cancellationToken);
                        old.Remove(victim);
                        continue;
                    }

                    if (fresh.Count < d.Replicas && readyFresh == fresh.Count && fresh.Count + old.Count <= d.Replicas)
                    {
                        fresh.Add(await StartNewAsync(d, driver, current, cancellationToken));
                    }

                    break;
                }

                if (fresh.Count > d.Replicas)
                {
                    var victim = fresh.OrderByDescending(r => r.CreatedAt).First();
                    await RetireAsync(d, driver, victim, $"scaled down to {d.Replicas}", cancellationToken);
                    fresh.Remove(victim);
                    continue;
                }

                while (fresh.Count < d.Replicas)
                {
                    fresh.Add(await StartNewAsync(d, driver, current, cancellationToken));
                }

                break;
            }
        }
        catch (PodDriverException ex)
        {
            return await StartFailedAsync(d, driver, current, revisions, fresh, old, ex, context, cancellationToken);
        }

        if (old.Count == 0 && fresh.Count == d.Replicas && fresh.All(r => r.Ready))
        {
            await SettleAsync(d, current, fresh, cancellationToken);
            return true;
        }

        if (d.ObservedGeneration == d.Generation && d.Status != DeploymentStatus.Provisioning)
        {
            // Settled earlier; the health monitor owns a replica that is not ready (crash back-off, probes).
            return true;
        }

        return false;
    }

    private static bool IsCurrent(Deployment d, Replica replica, DeploymentRevision current, List<DeploymentRevision> revisions)
    {
        if (d.RestartRequestedAt is { } restart && replica.CreatedAt < restart)
        {
            return false;
        }

        var revision = revisions.FirstOrDefault(r => r.Number == replica.Revision);
        return revision is not null && ReplicaPods.SameConfiguration(revision, current);
    }

    private static string Short(Replica replica) => ReplicaShortId.Of(replica.Id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {DeploymentId}: revision {Failed} rolled back to {Stable}: {Reason}")]
    private static partial void LogRolledBack(ILogger logger, Guid deploymentId, int failed, int stable, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {DeploymentId}: a pod could not start ({Kind}): {Reason}")]
    private static partial void LogStartFailed(ILogger logger, Guid deploymentId, PodFailureKind kind, string reason);
}
