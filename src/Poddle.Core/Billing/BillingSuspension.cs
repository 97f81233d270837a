using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Core.Pools.Runtime;

namespace Poddle.Core.Billing;

/// <summary>
/// Suspends and resumes an owner. Suspension, in one transaction: the account's <see cref="BillingAccount.SuspendedAt"/>
/// is set by a conditional update (only one server wins; the row stays locked until commit on PostgreSQL); each live
/// deployment with replicas keeps them in <see cref="Deployment.SuspendedReplicas"/> and is scaled to zero through the
/// controller (a new generation and its converge job), so its pods stop and its status becomes
/// <see cref="DeploymentStatus.Suspended"/>; each pool is marked suspended (its controller drains it to zero); an event
/// on each and a notice. Configuration, revisions, secrets and data are untouched. Resume undoes exactly that.
/// </summary>
public sealed partial class BillingSuspension(
    PoddleDbContext db,
    JobQueue jobs,
    DeploymentEventRecorder events,
    BillingNotices notices,
    IOptions<BillingOptions> options,
    TimeProvider clock,
    ILogger<BillingSuspension> logger)
{
    public const string SuspendedEvent = "Suspended";
    public const string ResumedEvent = "Resumed";
    public const string Reason = "billing";

    /// <summary>Suspends the owner unless suspended already; true when this call did.</summary>
    public async Task<bool> SuspendAsync(Guid ownerId, long period, long balanceMinor, CancellationToken cancellationToken)
    {
        var now = clock.GetStoredUtcNow();
        var money = Money.Format(balanceMinor, options.Value.Currency);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var won = await db.Set<BillingAccount>().Where(a => a.OwnerId == ownerId && a.SuspendedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.SuspendedAt, now), cancellationToken);
        if (won == 0)
        {
            return false;
        }

        var deployments = await LiveDeployments(ownerId).Where(d => d.SuspendedReplicas == null && d.Replicas > 0).ToListAsync(cancellationToken);
        foreach (var d in deployments)
        {
            d.SuspendedReplicas = d.Replicas;
            d.Replicas = 0;
            await ChangeAsync(d, SuspendedEvent, $"Suspended: the owner's balance is {money}; {d.SuspendedReplicas} replica(s) stop and come back when it is above zero.", "suspend", now, cancellationToken);
        }

        var pools = await db.Pools.Where(p => p.OwnerId == ownerId && p.SuspendedAt == null).ToListAsync(cancellationToken);
        foreach (var pool in pools)
        {
            pool.SuspendedAt = now;
            PoolChanged(pool, SuspendedEvent, $"suspended: the owner's balance is {money}; workers scale to zero", now);
        }

        await notices.AddOnceAsync(ownerId, BillingNoticeKinds.Suspended, period, balanceMinor,
            $"Your balance has been below zero for {options.Value.SuspendAfter} ({money} now), so {deployments.Count} deployment(s) and {pools.Count} pool(s) are suspended: scaled to zero, with their configuration and data kept. They resume on their own once the balance is above zero; add funds with `poddle billing fund`.",
            cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        LogSuspended(logger, ownerId, deployments.Count, pools.Count);
        return true;
    }

    /// <summary>Resumes the owner unless not suspended; true when this call did.</summary>
    public async Task<bool> ResumeAsync(Guid ownerId, long period, long balanceMinor, CancellationToken cancellationToken)
    {
        var now = clock.GetStoredUtcNow();
        var money = Money.Format(balanceMinor, options.Value.Currency);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var won = await db.Set<BillingAccount>().Where(a => a.OwnerId == ownerId && a.SuspendedAt != null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.SuspendedAt, (DateTimeOffset?)null), cancellationToken);
        if (won == 0)
        {
            return false;
        }

        var deployments = await LiveDeployments(ownerId).Where(d => d.SuspendedReplicas != null).ToListAsync(cancellationToken);
        foreach (var d in deployments)
        {
            d.Replicas = d.SuspendedReplicas!.Value;
            d.SuspendedReplicas = null;
            await ChangeAsync(d, ResumedEvent, $"Resumed: the owner's balance is {money}; back to {d.Replicas} replica(s).", "resume", now, cancellationToken);
        }

        var pools = await db.Pools.Where(p => p.OwnerId == ownerId && p.SuspendedAt != null).ToListAsync(cancellationToken);
        foreach (var pool in pools)
        {
            pool.SuspendedAt = null;
            PoolChanged(pool, ResumedEvent, $"resumed: the owner's balance is {money}", now);
        }

        await notices.AddOnceAsync(ownerId, BillingNoticeKinds.Resumed, period, balanceMinor,
            $"Your balance is {money} again, so {deployments.Count} deployment(s) and {pools.Count} pool(s) are resumed at their sizes from before the suspension.",
            cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        LogResumed(logger, ownerId, deployments.Count, pools.Count);
        return true;
    }

    private IQueryable<Deployment> LiveDeployments(Guid ownerId) =>
        db.Deployments.Where(d => d.OwnerId == ownerId && d.DeletedAt == null && d.Status != DeploymentStatus.Deleting && d.Status != DeploymentStatus.Deleted);

    /// <summary>A change of desired state, like a user's scale: new generation, an event, and the controller's converge job.</summary>
    private async Task ChangeAsync(Deployment d, string type, string message, string cause, DateTimeOffset now, CancellationToken cancellationToken)
    {
        d.Generation++;
        d.UpdatedAt = now;
        await events.RecordAsync(d.Id, type, Reason, message, severity: type == SuspendedEvent ? DeploymentEventRecorder.Warning : DeploymentEventRecorder.Normal, cancellationToken: cancellationToken);
        await jobs.EnqueueConvergeAsync(d, cause, cancellationToken);
    }

    private void PoolChanged(Pools.Pool pool, string type, string message, DateTimeOffset now)
    {
        pool.Generation++;
        pool.UpdatedAt = now;
        db.Add(new PoolEvent
        {
            Id = Guid.CreateVersion7(now),
            PoolId = pool.Id,
            At = now,
            Kind = PoolEventKinds.Billing,
            Reason = type.ToLower(CultureInfo.InvariantCulture),
            Message = message,
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Owner {OwnerId} suspended (balance below zero): {Deployments} deployments and {Pools} pools scaled to zero")]
    private static partial void LogSuspended(ILogger logger, Guid ownerId, int deployments, int pools);

    [LoggerMessage(Level = LogLevel.Information, Message = "Owner {OwnerId} resumed: {Deployments} deployments and {Pools} pools back")]
    private static partial void LogResumed(ILogger logger, Guid ownerId, int deployments, int pools);
}
