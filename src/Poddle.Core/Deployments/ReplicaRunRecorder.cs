using Microsoft.EntityFrameworkCore;

namespace Poddle.Core.Deployments;

/// <summary>
/// Keeps <see cref="ReplicaRun"/> rows in step with replica phase changes, in the same SaveChanges (so the same
/// transaction) as the change itself. The controller changes a replica's phase in several places (pod start, crash seen
/// by the health monitor, drift in the reconciler, retirement); SaveChanges is the one place every change passes, so the
/// recording lives here and no writer can forget it. A run opens when a replica enters <see cref="ReplicaPhase.Running"/>
/// or its <see cref="Replica.StartedAt"/> moves while running (a liveness restart starts a new pod without a crash phase
/// in between); it closes when the replica leaves Running, is deleted, or restarts. Times come from the replica's own
/// timestamps, which the controller takes from its clock.
/// </summary>
public static class ReplicaRunRecorder
{
    /// <summary>Adds and closes runs for the replica changes tracked by <paramref name="db"/>; call before saving.</summary>
    public static async Task RecordAsync(DbContext db, bool synchronous, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!db.ChangeTracker.AutoDetectChangesEnabled)
        {
            return;
        }

        db.ChangeTracker.DetectChanges();
        var changes = db.ChangeTracker.Entries<Replica>()
            .Where(e => e.State is EntityState.Added or EntityState.Deleted
                || (e.State == EntityState.Modified && (e.Property(r => r.Phase).IsModified || e.Property(r => r.StartedAt).IsModified)))
            .ToList();
        foreach (var entry in changes)
        {
            var replica = entry.Entity;
            var wasRunning = entry.State != EntityState.Added && entry.Property(r => r.Phase).OriginalValue == ReplicaPhase.Running;
            var isRunning = entry.State != EntityState.Deleted && replica.Phase == ReplicaPhase.Running;
            var restarted = wasRunning && isRunning && entry.Property(r => r.StartedAt).OriginalValue != replica.StartedAt;
            if (wasRunning && (!isRunning || restarted))
            {
                await CloseAsync(db, replica, synchronous, cancellationToken);
            }

            if (isRunning && (!wasRunning || restarted))
            {
                db.Set<ReplicaRun>().Add(new ReplicaRun
                {
                    Id = Guid.CreateVersion7(),
                    ReplicaId = replica.Id,
                    DeploymentId = replica.DeploymentId,
                    Revision = replica.Revision,
                    StartedAt = replica.StartedAt ?? replica.UpdatedAt,
                });
            }
        }
    }

    private static async Task CloseAsync(DbContext db, Replica replica, bool synchronous, CancellationToken cancellationToken)
    {
        var query = db.Set<ReplicaRun>().Where(r => r.ReplicaId == replica.Id && r.StoppedAt == null);
        var open = synchronous ? [.. query] : await query.ToListAsync(cancellationToken);
        open.AddRange(db.ChangeTracker.Entries<ReplicaRun>()
            .Where(e => e.State == EntityState.Added && e.Entity.ReplicaId == replica.Id && e.Entity.StoppedAt is null && !open.Contains(e.Entity))
            .Select(e => e.Entity));

        // Every writer that ends a pod stamps the moment it saw it end on LastExitAt or UpdatedAt (RetireAsync keeps
        // an earlier LastExitAt, so the later of the two is the end); never before the run began.
        var stoppedAt = Later(replica.LastExitAt, replica.UpdatedAt);
        foreach (var run in open)
        {
            run.StoppedAt = stoppedAt < run.StartedAt ? run.StartedAt : stoppedAt;
        }
    }

    private static DateTimeOffset Later(DateTimeOffset? a, DateTimeOffset b) => a is { } value && value > b ? value : b;
}
