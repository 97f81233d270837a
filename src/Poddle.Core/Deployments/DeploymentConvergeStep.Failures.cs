using Poddle.Core.Common;
using Poddle.Core.Jobs;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Deployments;

public sealed partial class DeploymentConvergeStep
{
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
}
