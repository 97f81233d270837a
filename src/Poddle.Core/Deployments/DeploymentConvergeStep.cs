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
/// <remarks>Scoped like the <see cref="PoddleDbContext"/> it changes: one run at a time; each run starts afresh.</remarks>
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

    /// <summary>
    /// Rollover, as Kubernetes does it: a revision replaced while it was rolling out gives way to the current one
    /// instead of finishing first. Its replicas that serve no traffic go at once; old replicas beyond the desired
    /// count go too (superseded revisions first, then not ready, then newest), so the surge of one new replica can
    /// start; ready old replicas up to the desired count stay until new ones replace them, so traffic never drops
    /// below the desired count. Revisions superseded before they were ready get the outcome "superseded by revision N".
    /// </summary>
    private async Task RollOverAsync(Deployment d, IPodDriver driver, DeploymentRevision current, List<DeploymentRevision> revisions, List<Replica> old, CancellationToken cancellationToken)
    {
        var stable = d.StableRevision is { } s ? revisions.FirstOrDefault(r => r.Number == s) : null;
        var superseded = revisions
            .Where(r => r.Number < current.Number && r.Outcome is null && (stable is null || !ReplicaPods.SameConfiguration(r, stable)))
            .ToList();
        foreach (var revision in superseded)
        {
            revision.Outcome = $"superseded by revision {current.Number}";
            if (old.Any(r => r.Revision == revision.Number))
            {
                await events.RecordAsync(d.Id, "RolloutSuperseded", "superseded", $"revision {revision.Number} was superseded by revision {current.Number} before it was ready; its replicas make way", cancellationToken: cancellationToken);
            }
        }

        bool IsSuperseded(Replica replica) =>
            stable is null || revisions.FirstOrDefault(r => r.Number == replica.Revision) is not { } revision || !ReplicaPods.SameConfiguration(revision, stable);

        foreach (var replica in old.Where(r => !r.Ready && IsSuperseded(r)).ToList())
        {
            await RetireAsync(d, driver, replica, $"superseded by revision {current.Number}", cancellationToken);
            old.Remove(replica);
        }

        while (old.Count > d.Replicas)
        {
            var victim = old.OrderByDescending(IsSuperseded).ThenBy(r => r.Ready).ThenByDescending(r => r.CreatedAt).First();
            await RetireAsync(d, driver, victim, $"superseded by revision {current.Number}", cancellationToken);
            old.Remove(victim);
        }
    }

    private async Task ProbeNewAsync(IPodDriver driver, DeploymentRevision current, List<Replica> fresh, CancellationToken cancellationToken)
    {
        var spec = ReplicaPods.ReadSpec(current);
        var now = clock.GetStoredUtcNow();
        foreach (var replica in fresh.Where(r => r.Phase == ReplicaPhase.Running && !r.Ready && r.PodId is not null))
        {
            if (replica.StartedAt is { } started && now < started.AddSeconds(spec.HealthCheck?.InitialDelaySeconds ?? 0))
            {
                continue;
            }

            var endpoint = replica.EndpointHost is { } host && replica.EndpointPort is { } port ? new PodEndpoint(host, port) : null;
            var probe = await prober.ProbeAsync(spec.HealthCheck, spec.Port, endpoint, driver, await pods.HandleAsync(replica, cancellationToken), cancellationToken);
            if (probe.Healthy)
            {
                replica.Ready = true;
                replica.ReadySince = now;
                replica.ProbeFailures = 0;
                replica.UpdatedAt = now;
                RoutingChanged = true;
                await events.RecordAsync(replica.DeploymentId, "ReplicaReady", "ready", $"replica {Short(replica)} of revision {replica.Revision} is ready ({probe.Detail})", replica.Id, cancellationToken: cancellationToken);
            }
        }
    }

    private async Task<Replica> StartNewAsync(Deployment d, IPodDriver driver, DeploymentRevision revision, CancellationToken cancellationToken)
    {
        var replica = pods.NewReplica(d, revision.Number);
        db.Replicas.Add(replica);

        // Saved before the pod starts: a step killed mid-start leaves a row the next step (or the reconciler) adopts the pod for.
        await db.SaveChangesAsync(cancellationToken);
        _startedNow.Add(replica);
        await pods.StartAsync(driver, d, revision, replica, cancellationToken);
        await events.RecordAsync(d.Id, "ReplicaStarted", "started", $"replica {Short(replica)} of revision {revision.Number} started", replica.Id, cancellationToken: cancellationToken);
        return replica;
    }

    private async Task RetireAsync(Deployment d, IPodDriver driver, Replica replica, string reason, CancellationToken cancellationToken)
    {
        if (replica.Ready)
        {
            // Out of the routes first, then stopped: the proxy stops sending before SIGTERM.
            replica.Ready = false;
            replica.ReadySince = null;
            await db.SaveChangesAsync(cancellationToken);
            changes.Notify(d.Id);
        }

        await pods.RetireAsync(driver, replica, reason, cancellationToken);
        RoutingChanged = true;
        await events.RecordAsync(d.Id, "ReplicaStopped", "stopped", $"replica {Short(replica)} of revision {replica.Revision} stopped: {reason}", replica.Id, cancellationToken: cancellationToken);
    }

    private async Task SettleAsync(Deployment d, DeploymentRevision current, List<Replica> fresh, CancellationToken cancellationToken)
    {
        var (status, reason) = DeploymentHealthPolicy.Evaluate(d, fresh);
        if (d.StableRevision != current.Number && d.Replicas > 0)
        {
            d.StableRevision = current.Number;
            await events.RecordAsync(d.Id, "RolloutComplete", "ready", $"revision {current.Number} is ready on {d.Replicas} replicas", cancellationToken: cancellationToken);
        }

        if (d.Replicas > 0)
        {
            current.Outcome ??= "ready";
        }

        await events.SetStatusAsync(d, status, reason, cancellationToken);
        d.ObservedGeneration = d.Generation;
    }

    private async Task<bool> DeleteAsync(Deployment d, List<Replica> replicas, IPodDriver? driver, CancellationToken cancellationToken)
    {
        if (replicas.Count > 0 && driver is null)
        {
            throw new InvalidOperationException($"Deployment {d.Id} runs on driver '{d.Driver}', which this server does not have; cannot delete its pods.");
        }

        if (d.Status != DeploymentStatus.Deleting && d.Status != DeploymentStatus.Deleted)
        {
            await events.SetStatusAsync(d, DeploymentStatus.Deleting, "deletion requested", cancellationToken);
        }

        foreach (var replica in replicas)
        {
            await RetireAsync(d, driver!, replica, "deployment deleted", cancellationToken);
        }

        d.DeletedAt ??= clock.GetStoredUtcNow();
        await events.SetStatusAsync(d, DeploymentStatus.Deleted, "every pod is destroyed", cancellationToken);
        d.ObservedGeneration = d.Generation;
        return true;
    }

    private async Task<bool> DeadlineExceededAsync(Deployment d, IPodDriver driver, DeploymentRevision current, List<DeploymentRevision> revisions, List<Replica> fresh, List<Replica> old, string reason, CancellationToken cancellationToken)
    {
        var stable = d.StableRevision is { } s ? revisions.FirstOrDefault(r => r.Number == s) : null;
        if (stable is not null && !ReplicaPods.SameConfiguration(stable, current))
        {
            await RollBackAsync(d, driver, current, stable, revisions, fresh, reason, cancellationToken);
            return false;
        }

        if (old.Count > 0)
        {
            // A restart that did not get ready: the replicas it started go, the earlier ones stay.
            foreach (var replica in fresh.Where(r => !r.Ready).ToList())
            {
                await RetireAsync(d, driver, replica, reason, cancellationToken);
                fresh.Remove(replica);
            }

            d.RestartRequestedAt = null;
            fresh.AddRange(old);
        }

        await events.RecordAsync(d.Id, "ProgressDeadlineExceeded", "not ready", reason, severity: DeploymentEventRecorder.Warning, cancellationToken: cancellationToken);
        if (d.StableRevision is null)
        {
            current.Outcome = $"failed: {reason}";
        }

        var (status, _) = DeploymentHealthPolicy.Evaluate(d, fresh);
        await events.SetStatusAsync(d, status, reason, cancellationToken);
        d.ObservedGeneration = d.Generation;
        await notifier.NotifyAsync(d, reason, cancellationToken);
        return true;
    }

    private async Task RollBackAsync(Deployment d, IPodDriver driver, DeploymentRevision failed, DeploymentRevision stable, List<DeploymentRevision> revisions, List<Replica> fresh, string reason, CancellationToken cancellationToken)
    {
        foreach (var replica in fresh.ToList())
        {
            await RetireAsync(d, driver, replica, $"rolled back: {reason}", cancellationToken);
        }

        failed.Outcome = $"failed: {reason}";
        var now = clock.GetStoredUtcNow();
        var number = revisions.Max(r => r.Number) + 1;
        db.DeploymentRevisions.Add(new DeploymentRevision
        {
            Id = Guid.CreateVersion7(now),
            DeploymentId = d.Id,
            Number = number,
            SpecJson = stable.SpecJson,
            SecretsCiphertext = stable.SecretsCiphertext,
            Cause = $"automatic rollback to {stable.Number}",
            CreatedAt = now,
        });
        d.CurrentRevision = number;
        d.Generation++;
        d.RestartRequestedAt = null;
        d.UpdatedAt = now;
        await events.RecordAsync(d.Id, "RolledBack", $"automatic rollback to {stable.Number}", $"revision {failed.Number} failed ({reason}); rolled back to revision {stable.Number} as revision {number}", severity: DeploymentEventRecorder.Warning, cancellationToken: cancellationToken);
        await events.SetStatusAsync(d, DeploymentStatus.Provisioning, $"automatic rollback to revision {stable.Number}", cancellationToken);
        await notifier.NotifyAsync(d, $"revision {failed.Number} rolled back: {reason}", cancellationToken);
        LogRolledBack(logger, d.Id, failed.Number, stable.Number, reason);
    }

    private async Task<bool> StartFailedAsync(Deployment d, IPodDriver driver, DeploymentRevision current, List<DeploymentRevision> revisions, List<Replica> fresh, List<Replica> old, PodDriverException ex, JobContext context, CancellationToken cancellationToken)
    {
        var reason = ReplicaPods.ReasonOf(ex);
        LogStartFailed(logger, d.Id, ex.Kind, reason);
        await events.RecordAsync(d.Id, "StartFailed", ex.Kind.ToString(), reason, severity: DeploymentEventRecorder.Warning, cancellationToken: cancellationToken);

        // Partial work of this attempt goes: the pods it started, and the row whose start failed.
        foreach (var replica in _startedNow)
        {
            replica.LastExitReason = reason;
            replica.LastExitAt = clock.GetStoredUtcNow();
            await pods.RetireAsync(driver, replica, reason, cancellationToken);
            fresh.Remove(replica);
        }

        var permanent = ReplicaPods.IsPermanent(ex.Kind);
        var lastAttempt = context.Attempt >= context.MaxAttempts;
        var stable = d.StableRevision is { } s ? revisions.FirstOrDefault(r => r.Number == s) : null;
        if ((permanent || lastAttempt) && stable is not null && !ReplicaPods.SameConfiguration(stable, current) && old.Count > 0)
        {
            await RollBackAsync(d, driver, current, stable, revisions, fresh, reason, cancellationToken);
            return false;
        }

        if (permanent || lastAttempt)
        {
            foreach (var replica in fresh.Where(r => !r.Ready).ToList())
            {
                await RetireAsync(d, driver, replica, reason, cancellationToken);
                fresh.Remove(replica);
            }

            current.Outcome = $"failed: {reason}";
            await events.SetStatusAsync(d, DeploymentStatus.Failed, reason, cancellationToken);
            d.ObservedGeneration = d.Generation;
            await notifier.NotifyAsync(d, reason, cancellationToken);
            return true;
        }

        // Transient (driver down, no resources): keep what was recorded, then let the queue retry with back-off.
        await db.SaveChangesAsync(cancellationToken);
        throw new DeploymentStepFailedException(reason, ex);
    }

    private static string Short(Replica replica) => ReplicaShortId.Of(replica.Id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {DeploymentId}: revision {Failed} rolled back to {Stable}: {Reason}")]
    private static partial void LogRolledBack(ILogger logger, Guid deploymentId, int failed, int stable, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {DeploymentId}: a pod could not start ({Kind}): {Reason}")]
    private static partial void LogStartFailed(ILogger logger, Guid deploymentId, PodFailureKind kind, string reason);
}
