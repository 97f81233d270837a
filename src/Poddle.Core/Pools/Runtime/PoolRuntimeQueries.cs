using Microsoft.EntityFrameworkCore;
using Poddle.Core.Persistence;
using Poddle.Core.Pools.Scaling;

namespace Poddle.Core.Pools.Runtime;

/// <summary>Reads a pool's workers and events for the API. The caller has checked the pool is the caller's (<see cref="PoolService.GetAsync"/>).</summary>
public sealed class PoolRuntimeQueries(PoddleDbContext db)
{
    /// <summary>Events shown with a pool.</summary>
    public const int RecentEvents = 30;

    /// <summary>Capacity events (<see cref="PoolEventKinds.Capacity"/>) always shown, however old among the kept ones.</summary>
    public const int RecentCapacityEvents = 5;

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

        // A GPU pool's capacity events (a fallback, a drought and its back-off) stay visible behind the busy traffic of
        // job transitions: the latest few are shown even when older than the recent events.
        var capacity = await db.Set<PoolEvent>().AsNoTracking()
            .Where(e => e.PoolId == poolId && e.Kind == PoolEventKinds.Capacity)
            .OrderByDescending(e => e.At)
            .ThenByDescending(e => e.Id)
            .Take(RecentCapacityEvents)
            .ToListAsync(cancellationToken);
        events.AddRange(capacity.Where(c => !events.Any(e => e.Id == c.Id)));
        return new PoolRuntimeView(workers, [.. events.OrderByDescending(e => e.At).ThenByDescending(e => e.Id)]);
    }
}
