using Microsoft.EntityFrameworkCore;
using Poddle.Core.Pools.Scaling;

namespace Poddle.Core.Pools.Runtime;

/// <summary>
/// Keeps <see cref="PoolWorkerRun"/> rows in step with pool worker state changes, in the same SaveChanges (so the same
/// transaction) as the change, as <see cref="Deployments.ReplicaRunRecorder"/> does for replicas: every state change goes
/// through <see cref="PoolWorkerRecorder.Move"/> and is saved by the controller, so SaveChanges is the one place they
/// all pass. A worker is billed from the moment its pod started (spawning → initializing or later) until it is final
/// (terminated, failed) or its row is deleted (a pool's deletion removes its workers by cascade, past SaveChanges:
/// <see cref="PoolService.DeleteAsync"/> closes their runs); the times are the worker's <see cref="PoolWorker.StateChangedAt"/>, which the
/// controller takes from its clock.
/// </summary>
public static class PoolWorkerRunRecorder
{
    /// <summary>
    /// Whether a worker in <paramref name="state"/> (wire name) may have a running pod, so is billed while its run is
    /// open: from its pod's start to a final state. Terminating keeps a run open but never opens one (a worker ended
    /// while still spawning never started a pod); see <see cref="StartsRun"/>.
    /// </summary>
    public static bool IsBilled(string? state) => StartsRun(state) || state is WorkerStates.Terminating;

    /// <summary>Whether entering <paramref name="state"/> means the worker's pod started (spawning → initializing, or later).</summary>
    public static bool StartsRun(string? state) => state is WorkerStates.Initializing or WorkerStates.Idle or WorkerStates.Running or WorkerStates.Draining;

    /// <summary>Adds and closes runs for the worker changes tracked by <paramref name="db"/>; call before saving.</summary>
    public static async Task RecordAsync(DbContext db, bool synchronous, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!db.ChangeTracker.AutoDetectChangesEnabled)
        {
            return;
        }

        db.ChangeTracker.DetectChanges();
        var changes = db.ChangeTracker.Entries<PoolWorker>()
            .Where(e => e.State is EntityState.Added or EntityState.Deleted
                || (e.State == EntityState.Modified && e.Property(w => w.State).IsModified))
            .ToList();
        foreach (var entry in changes)
        {
            var worker = entry.Entity;
            var wasBilled = entry.State != EntityState.Added && IsBilled(entry.Property(w => w.State).OriginalValue);
            var isBilled = entry.State != EntityState.Deleted && IsBilled(worker.State);
            if (wasBilled && !isBilled)
            {
                await CloseAsync(db, worker, synchronous, cancellationToken);
            }
            else if (!wasBilled && entry.State != EntityState.Deleted && StartsRun(worker.State))
            {
                var pool = synchronous
                    ? db.Set<Pool>().Find(worker.PoolId)
                    : await db.Set<Pool>().FindAsync([worker.PoolId], cancellationToken);
                if (pool is null)
                {
                    continue; // The pool is gone: its workers are being ended, nothing new runs for it.
                }

                var resources = PoolWorkerSpec.Deserialize(pool.SpecJson).Resources;
                db.Set<PoolWorkerRun>().Add(new PoolWorkerRun
                {
                    Id = Guid.CreateVersion7(),
                    PoolId = pool.Id,
                    OwnerId = pool.OwnerId,
                    PoolName = pool.Name,
                    WorkerId = worker.WorkerId,
                    CpuMillicores = resources.CpuMillicores,
                    MemoryMb = resources.MemoryMb,
                    StartedAt = worker.StateChangedAt,
                });
            }
        }
    }

    private static async Task CloseAsync(DbContext db, PoolWorker worker, bool synchronous, CancellationToken cancellationToken)
    {
        var query = db.Set<PoolWorkerRun>().Where(r => r.WorkerId == worker.WorkerId && r.StoppedAt == null);
        var open = synchronous ? [.. query] : await query.ToListAsync(cancellationToken);
        open.AddRange(db.ChangeTracker.Entries<PoolWorkerRun>()
            .Where(e => e.State == EntityState.Added && e.Entity.WorkerId == worker.WorkerId && e.Entity.StoppedAt is null && !open.Contains(e.Entity))
            .Select(e => e.Entity));

        // A deleted row keeps its last StateChangedAt; a final move stamps the moment the controller saw the pod end.
        foreach (var run in open)
        {
            run.StoppedAt = worker.StateChangedAt < run.StartedAt ? run.StartedAt : worker.StateChangedAt;
        }
    }
}
