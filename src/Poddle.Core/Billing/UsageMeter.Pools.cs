using Microsoft.EntityFrameworkCore;
using Poddle.Core.Accounts;
using Poddle.Core.Pools.Runtime;

namespace Poddle.Core.Billing;

/// <summary>Pool workers: metered from <see cref="PoolWorkerRun"/> rows like replicas, one amount per pool and hour.</summary>
public sealed partial class UsageMeter
{
    /// <summary>The prefix of a pool's name in usage, charges and invoices (a deployment's name is a DNS label, so never has it).</summary>
    public const string PoolNamePrefix = "pool:";

    /// <summary>
    /// Usage per pool in [<paramref name="hourStart"/>, <paramref name="windowEnd"/>): each worker run's whole seconds inside
    /// it × the worker's hourly price (<see cref="HourlyWorkerPrice"/>: its CPU and memory at the tier's price plus a GPU
    /// pool's cost and margin) / 3600, rounded half up once per pool and hour. The pool's id is the usage's deployment id
    /// (ids are unique across both), so a pool's charge is keyed by (pool, hour) in the same unique index.
    /// </summary>
    private async Task<List<MeteredUsage>> MeterPoolsAsync(DateTimeOffset hourStart, DateTimeOffset windowEnd, Guid? ownerId, CancellationToken cancellationToken)
    {
        var runs = await db.Set<PoolWorkerRun>().AsNoTracking()
            .Where(r => r.StartedAt < windowEnd && (r.StoppedAt == null || r.StoppedAt > hourStart) && (ownerId == null || r.OwnerId == ownerId))
            .ToListAsync(cancellationToken);
        if (runs.Count == 0)
        {
            return [];
        }

        var list = PriceListAt(hourStart);
        var tiers = await TiersAsync(runs.Select(r => r.OwnerId), cancellationToken);
        var usage = new List<MeteredUsage>();
        foreach (var group in runs.GroupBy(r => r.PoolId))
        {
            var first = group.First();
            var price = TierPriceOf(list, tiers.GetValueOrDefault(first.OwnerId));
            var gpu = GpuHourlyPrice(group.Key);
            long priceSeconds = 0, workerSeconds = 0, cpuSeconds = 0, memorySeconds = 0;
            foreach (var run in group)
            {
                var start = run.StartedAt > hourStart ? run.StartedAt : hourStart;
                var end = run.StoppedAt is { } stopped && stopped < windowEnd ? stopped : windowEnd;
                var seconds = Math.Max(0, (end.UtcTicks - start.UtcTicks) / TimeSpan.TicksPerSecond);
                checked
                {
                    priceSeconds += (price.HourlyPerReplica(run.CpuMillicores, run.MemoryMb) + gpu) * seconds;
                    workerSeconds += seconds;
                    cpuSeconds += run.CpuMillicores * seconds;
                    memorySeconds += run.MemoryMb * seconds;
                }
            }

            var amount = (priceSeconds + (SecondsPerHour / 2)) / SecondsPerHour;
            usage.Add(new MeteredUsage(group.Key, first.OwnerId, PoolNamePrefix + first.PoolName, amount, list.Version, workerSeconds, cpuSeconds, memorySeconds));
        }

        return usage;
    }

    /// <summary>The price per hour of each pool's workers running now (open worker runs), of <paramref name="ownerId"/> or all.</summary>
    public async Task<List<(Guid PoolId, Guid OwnerId, long HourlyMinor)>> HourlyPoolPricesAsync(DateTimeOffset at, CancellationToken cancellationToken, Guid? ownerId = null)
    {
        var open = await db.Set<PoolWorkerRun>().AsNoTracking()
            .Where(r => r.StoppedAt == null && (ownerId == null || r.OwnerId == ownerId))
            .Select(r => new { r.PoolId, r.OwnerId, r.CpuMillicores, r.MemoryMb })
            .ToListAsync(cancellationToken);
        if (open.Count == 0)
        {
            return [];
        }

        var list = PriceListAt(at);
        var tiers = await TiersAsync(open.Select(r => r.OwnerId), cancellationToken);
        return [.. open.GroupBy(r => (r.PoolId, r.OwnerId)).Select(g => (g.Key.PoolId, g.Key.OwnerId, g.Sum(r =>
            checked(TierPriceOf(list, tiers.GetValueOrDefault(r.OwnerId)).HourlyPerReplica(r.CpuMillicores, r.MemoryMb) + GpuHourlyPrice(r.PoolId)))))];
    }

    /// <summary>The names ("pool:{name}") of the pools of <paramref name="ownerId"/> that ever ran a worker, deleted ones too.</summary>
    public async Task<Dictionary<Guid, string>> PoolNamesAsync(Guid ownerId, CancellationToken cancellationToken) =>
        (await db.Set<PoolWorkerRun>().AsNoTracking().Where(r => r.OwnerId == ownerId).Select(r => new { r.PoolId, r.PoolName }).Distinct().ToListAsync(cancellationToken))
            .GroupBy(r => r.PoolId).ToDictionary(g => g.Key, g => PoolNamePrefix + g.First().PoolName);

    private async Task<Dictionary<Guid, UserTier>> TiersAsync(IEnumerable<Guid> ownerIds, CancellationToken cancellationToken)
    {
        var owners = ownerIds.Distinct().ToList();
        return await db.Set<User>().AsNoTracking().Where(u => owners.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Tier, cancellationToken);
    }
}
