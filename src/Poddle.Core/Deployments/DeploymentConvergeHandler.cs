using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Deployments;

/// <summary>
/// The converge job (<see cref="DeploymentJobs.Converge"/>): moves one deployment one step towards its CURRENT desired
/// state, whatever generation enqueued it, and enqueues its own next step (a scheduled job, <see cref="ControllerTimings.ConvergeStep"/>
/// later) while a rollout waits for readiness, so no job outlives its lease waiting (docs/decisions/0006). Each step
/// runs under the deployment's lock and re-reads the rows, so steps are idempotent and safe next to the health monitor.
/// A step: probe new replicas; roll back automatically past the progress deadline; roll over a revision superseded
/// mid-rollout (its replicas make way for the current one); retire old replicas once a new one is
/// ready (surge of one, so a ready replica always serves); start missing replicas; scale down newest first; delete.
/// Driver failures become reasons; a permanent one (image missing) fails the deployment (or rolls back), a transient one
/// is retried by the queue with back-off after the pods this attempt started are destroyed.
/// </summary>
public sealed partial class DeploymentConvergeHandler(
    PoddleDbContext db,
    JobQueue queue,
    PodDriverRegistry drivers,
    ReplicaPods pods,
    ReplicaProber prober,
    DeploymentEventRecorder events,
    DeploymentNotifier notifier,
    DeploymentChangeSignal changes,
    DeploymentLocks locks,
    DeploymentControllerStartup startup,
    ControllerLeadership leadership,
    IOptions<DeploymentOptions> options,
    TimeProvider clock,
    ILogger<DeploymentConvergeHandler> logger) : IJobHandler
{
    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);
    private readonly PoddleDbContext _db = db;
    private readonly PodDriverRegistry _drivers = drivers;
    private readonly DeploymentEventRecorder _events = events;
    private readonly TimeProvider _clock = clock;
    private readonly IOptions<DeploymentOptions> _options = options;
    private readonly ReplicaProber _prober = prober;
    private readonly ReplicaPods _pods = pods;
    private readonly DeploymentChangeSignal _changes = changes;
    private readonly DeploymentNotifier _notifier = notifier;
    private readonly ILogger<DeploymentConvergeHandler> _logger = logger;

    public string Kind => DeploymentJobs.Converge;

    public async Task HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Deserialize<ConvergePayload>(context.Payload ?? "null", PayloadJson)
            ?? throw new InvalidOperationException("The converge job has no payload.");
        await startup.WaitAsync(cancellationToken);
        if (!await leadership.IsLeaderAsync(cancellationToken))
        {
            // Another server runs the controller: hand the step to it through the queue.
            await EnqueueNextAsync(payload.DeploymentId, TimeSpan.FromSeconds(5), "leader elsewhere", cancellationToken);
            await _db.SaveChangesAsync(cancellationToken);
            return;
        }

        using var held = await locks.AcquireAsync(payload.DeploymentId, cancellationToken);
        var step = new Step(this, payload.DeploymentId, context);
        var settled = await step.RunAsync(cancellationToken);
        if (!settled)
        {
            await EnqueueNextAsync(payload.DeploymentId, ControllerTimings.ConvergeStep, payload.Cause, cancellationToken);
        }

        await _db.SaveChangesAsync(cancellationToken);
        if (step.RoutingChanged)
        {
            _changes.Notify(payload.DeploymentId);
        }
    }

    private async Task EnqueueNextAsync(Guid deploymentId, TimeSpan delay, string cause, CancellationToken cancellationToken)
    {
        var runAt = _clock.GetUtcNow() + delay;
        var generation = await _db.Deployments.Where(d => d.Id == deploymentId).Select(d => d.Generation).FirstOrDefaultAsync(cancellationToken);

        // One follow-up per deployment and second: two steps that both re-enqueue collapse into one job.
        await queue.EnqueueAsync(
            DeploymentJobs.Converge,
            new ConvergePayload(deploymentId, generation, cause),
            new EnqueueOptions(RunAt: runAt, IdempotencyKey: $"deployment:{deploymentId:N}:step:{runAt.ToUnixTimeSeconds()}"),
            cancellationToken);
    }

    /// <summary>One converge step of one deployment.</summary>
    private sealed class Step(DeploymentConvergeHandler h, Guid deploymentId, JobContext context)
    {
        private readonly List<Replica> _startedNow = [];

        public bool RoutingChanged { get; private set; }

        public async Task<bool> RunAsync(CancellationToken cancellationToken)
        {
            var db = h._db;
            var d = await db.Deployments.FirstOrDefaultAsync(x => x.Id == deploymentId, cancellationToken);
            if (d is null)
            {
                return true;
            }

            var replicas = await db.Replicas.Where(r => r.DeploymentId == d.Id && r.Phase != ReplicaPhase.Stopped).ToListAsync(cancellationToken);
            var driver = h._drivers.Find(d.Driver);
            if (d.DeletedAt is not null || d.Status is DeploymentStatus.Deleting or DeploymentStatus.Deleted)
            {
                return await DeleteAsync(d, replicas, driver, cancellationToken);
            }

            if (driver is null)
            {
                await h._events.SetStatusAsync(d, DeploymentStatus.Failed, $"driver not available on this server: {d.Driver}", cancellationToken);
                d.ObservedGeneration = d.Generation;
                return true;
            }

            var revisions = await db.DeploymentRevisions.Where(r => r.DeploymentId == d.Id).ToListAsync(cancellationToken);
            var current = revisions.Single(r => r.Number == d.CurrentRevision);
            var fresh = replicas.Where(r => IsCurrent(d, r, current, revisions)).OrderBy(r => r.CreatedAt).ToList();
            var old = replicas.Except(fresh).ToList();

            if (d.ObservedGeneration < d.Generation && d.Status != DeploymentStatus.Provisioning)
            {
                await h._events.SetStatusAsync(d, DeploymentStatus.Provisioning, $"applying revision {current.Number} with {d.Replicas} replicas", cancellationToken);
            }

            await ProbeNewAsync(driver, current, fresh, cancellationToken);
            var now = h._clock.GetStoredUtcNow();
            var deadline = h._options.Value.ProgressDeadline;

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
                    await h._pods.StartAsync(driver, d, current, orphaned, cancellationToken);
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
                return await StartFailedAsync(d, driver, current, revisions, fresh, old, ex, cancellationToken);
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
                    await h._events.RecordAsync(d.Id, "RolloutSuperseded", "superseded", $"revision {revision.Number} was superseded by revision {current.Number} before it was ready; its replicas make way", cancellationToken: cancellationToken);
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
            var now = h._clock.GetStoredUtcNow();
            foreach (var replica in fresh.Where(r => r.Phase == ReplicaPhase.Running && !r.Ready && r.PodId is not null))
            {
                if (replica.StartedAt is { } started && now < started.AddSeconds(spec.HealthCheck?.InitialDelaySeconds ?? 0))
                {
                    continue;
                }

                var endpoint = replica.EndpointHost is { } host && replica.EndpointPort is { } port ? new PodEndpoint(host, port) : null;
                var probe = await h._prober.ProbeAsync(spec.HealthCheck, spec.Port, endpoint, driver, await h._pods.HandleAsync(replica, cancellationToken), cancellationToken);
                if (probe.Healthy)
                {
                    replica.Ready = true;
                    replica.ReadySince = now;
                    replica.ProbeFailures = 0;
                    replica.UpdatedAt = now;
                    RoutingChanged = true;
                    await h._events.RecordAsync(replica.DeploymentId, "ReplicaReady", "ready", $"replica {Short(replica)} of revision {replica.Revision} is ready ({probe.Detail})", replica.Id, cancellationToken: cancellationToken);
                }
            }
        }

        private async Task<Replica> StartNewAsync(Deployment d, IPodDriver driver, DeploymentRevision revision, CancellationToken cancellationToken)
        {
            var replica = h._pods.NewReplica(d, revision.Number);
            h._db.Replicas.Add(replica);

            // Saved before the pod starts: a step killed mid-start leaves a row the next step (or the reconciler) adopts the pod for.
            await h._db.SaveChangesAsync(cancellationToken);
            _startedNow.Add(replica);
            await h._pods.StartAsync(driver, d, revision, replica, cancellationToken);
            await h._events.RecordAsync(d.Id, "ReplicaStarted", "started", $"replica {Short(replica)} of revision {revision.Number} started", replica.Id, cancellationToken: cancellationToken);
            return replica;
        }

        private async Task RetireAsync(Deployment d, IPodDriver driver, Replica replica, string reason, CancellationToken cancellationToken)
        {
            if (replica.Ready)
            {
                // Out of the routes first, then stopped: the proxy stops sending before SIGTERM.
                replica.Ready = false;
                replica.ReadySince = null;
                await h._db.SaveChangesAsync(cancellationToken);
                h._changes.Notify(d.Id);
            }

            await h._pods.RetireAsync(driver, replica, reason, cancellationToken);
            RoutingChanged = true;
            await h._events.RecordAsync(d.Id, "ReplicaStopped", "stopped", $"replica {Short(replica)} of revision {replica.Revision} stopped: {reason}", replica.Id, cancellationToken: cancellationToken);
        }

        private async Task SettleAsync(Deployment d, DeploymentRevision current, List<Replica> fresh, CancellationToken cancellationToken)
        {
            var (status, reason) = DeploymentHealthPolicy.Evaluate(d, fresh);
            if (d.StableRevision != current.Number && d.Replicas > 0)
            {
                d.StableRevision = current.Number;
                await h._events.RecordAsync(d.Id, "RolloutComplete", "ready", $"revision {current.Number} is ready on {d.Replicas} replicas", cancellationToken: cancellationToken);
            }

            if (d.Replicas > 0)
            {
                current.Outcome ??= "ready";
            }

            await h._events.SetStatusAsync(d, status, reason, cancellationToken);
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
                await h._events.SetStatusAsync(d, DeploymentStatus.Deleting, "deletion requested", cancellationToken);
            }

            foreach (var replica in replicas)
            {
                await RetireAsync(d, driver!, replica, "deployment deleted", cancellationToken);
            }

            d.DeletedAt ??= h._clock.GetStoredUtcNow();
            await h._events.SetStatusAsync(d, DeploymentStatus.Deleted, "every pod is destroyed", cancellationToken);
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

            await h._events.RecordAsync(d.Id, "ProgressDeadlineExceeded", "not ready", reason, severity: DeploymentEventRecorder.Warning, cancellationToken: cancellationToken);
            if (d.StableRevision is null)
            {
                current.Outcome = $"failed: {reason}";
            }

            var (status, _) = DeploymentHealthPolicy.Evaluate(d, fresh);
            await h._events.SetStatusAsync(d, status, reason, cancellationToken);
            d.ObservedGeneration = d.Generation;
            await h._notifier.NotifyAsync(d, reason, cancellationToken);
            return true;
        }

        private async Task RollBackAsync(Deployment d, IPodDriver driver, DeploymentRevision failed, DeploymentRevision stable, List<DeploymentRevision> revisions, List<Replica> fresh, string reason, CancellationToken cancellationToken)
        {
            foreach (var replica in fresh.ToList())
            {
                await RetireAsync(d, driver, replica, $"rolled back: {reason}", cancellationToken);
            }

            failed.Outcome = $"failed: {reason}";
            var now = h._clock.GetStoredUtcNow();
            var number = revisions.Max(r => r.Number) + 1;
            h._db.DeploymentRevisions.Add(new DeploymentRevision
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
            await h._events.RecordAsync(d.Id, "RolledBack", $"automatic rollback to {stable.Number}", $"revision {failed.Number} failed ({reason}); rolled back to revision {stable.Number} as revision {number}", severity: DeploymentEventRecorder.Warning, cancellationToken: cancellationToken);
            await h._events.SetStatusAsync(d, DeploymentStatus.Provisioning, $"automatic rollback to revision {stable.Number}", cancellationToken);
            await h._notifier.NotifyAsync(d, $"revision {failed.Number} rolled back: {reason}", cancellationToken);
            LogRolledBack(h._logger, d.Id, failed.Number, stable.Number, reason);
        }

        private async Task<bool> StartFailedAsync(Deployment d, IPodDriver driver, DeploymentRevision current, List<DeploymentRevision> revisions, List<Replica> fresh, List<Replica> old, PodDriverException ex, CancellationToken cancellationToken)
        {
            var reason = ReplicaPods.ReasonOf(ex);
            LogStartFailed(h._logger, d.Id, ex.Kind, reason);
            await h._events.RecordAsync(d.Id, "StartFailed", ex.Kind.ToString(), reason, severity: DeploymentEventRecorder.Warning, cancellationToken: cancellationToken);

            // Partial work of this attempt goes: the pods it started, and the row whose start failed.
            foreach (var replica in _startedNow)
            {
                replica.LastExitReason = reason;
                replica.LastExitAt = h._clock.GetStoredUtcNow();
                await h._pods.RetireAsync(driver, replica, reason, cancellationToken);
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
                await h._events.SetStatusAsync(d, DeploymentStatus.Failed, reason, cancellationToken);
                d.ObservedGeneration = d.Generation;
                await h._notifier.NotifyAsync(d, reason, cancellationToken);
                return true;
            }

            // Transient (driver down, no resources): keep what was recorded, then let the queue retry with back-off.
            await h._db.SaveChangesAsync(cancellationToken);
            throw new DeploymentStepFailedException(reason, ex);
        }

        private static string Short(Replica replica) => ReplicaShortId.Of(replica.Id);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {DeploymentId}: revision {Failed} rolled back to {Stable}: {Reason}")]
    private static partial void LogRolledBack(ILogger logger, Guid deploymentId, int failed, int stable, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {DeploymentId}: a pod could not start ({Kind}): {Reason}")]
    private static partial void LogStartFailed(ILogger logger, Guid deploymentId, PodFailureKind kind, string reason);
}

/// <summary>A converge step failed for a reason the queue should retry (driver down, no resources); the message is the reason.</summary>
public sealed class DeploymentStepFailedException : Exception
{
    public DeploymentStepFailedException()
    {
    }

    public DeploymentStepFailedException(string message)
        : base(message)
    {
    }

    public DeploymentStepFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
