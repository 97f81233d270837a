using Microsoft.EntityFrameworkCore;
using Poddle.Core.Persistence;
using Poddle.Core.Pools.Scaling;

namespace Poddle.Core.Pools.Runtime;

/// <summary>Reads a pool's workers and events for the API. The caller has checked the pool is the caller's (<see cref="PoolService.GetAsync"/>).</summary>
public sealed class PoolRuntimeQueries(PoddleDbContext db)
{
    /// <summary>Events shown with a pool.</summary>
    public const int RecentEvents = 30;

    public async Task<PoolRuntimeView> ForPoolAsync(Guid poolId, CancellationToken cancellationToken)
    {
        var workers = await db.Set<PoolWorker>().AsNoTracking()
            .Where(w => w.PoolId == poolId && w.State != WorkerStates.Terminated && w.State != WorkerStates.Failed)
            .OrderBy(w => w.CreatedAt)
            .ToListAsync(cancellationToken);
        var events = await db.Set<PoolEvent>().AsNoTracking()
            .Where(e => e.PoolId == poolId)
            .OrderByDescending(e => e.At)
            .ThenByDescending(e => e.Id)
            .Take(RecentEvents)
            .ToListAsync(cancellationToken);
        return new PoolRuntimeView(workers, events);
    }
}
