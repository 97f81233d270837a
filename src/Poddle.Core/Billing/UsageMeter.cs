using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Poddle.Core.Accounts;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;

namespace Poddle.Core.Billing;

/// <summary>
/// Meters what ran (<see cref="ReplicaRun"/> rows) inside one clock hour and prices it. Each run's time inside the hour
/// counts in whole seconds (rounded down); a deployment's amount is Σ(hourly price of the run's replica × seconds) / 3600,
/// rounded half up once per deployment and hour, in integer minor units. The price list is the one in force at the
/// hour's start, the tier the owner's. A run still open counts to the window's end.
/// </summary>
public sealed partial class UsageMeter(PoddleDbContext db, IOptions<BillingOptions> options)
{
    public const long SecondsPerHour = 3600;

    /// <summary>Usage per deployment in [<paramref name="hourStart"/>, +1 h), optionally cut at <paramref name="until"/>, for the deployments of <paramref name="ownerId"/> or all.</summary>
    /// <remarks>Pools are in the list too (<see cref="MeterPoolsAsync"/>): their id as the deployment id, "pool:{name}" as the name.</remarks>
    public async Task<List<MeteredUsage>> MeterHourAsync(DateTimeOffset hourStart, CancellationToken cancellationToken, Guid? ownerId = null, DateTimeOffset? until = null)
    {
        var hourEnd = hourStart.AddHours(1);
        var windowEnd = until is { } u && u < hourEnd ? u : hourEnd;
        var usage = await MeterDeploymentsAsync(hourStart, windowEnd, ownerId, cancellationToken);
        usage.AddRange(await MeterPoolsAsync(hourStart, windowEnd, ownerId, cancellationToken));
        return usage;
    }

    private async Task<List<MeteredUsage>> MeterDeploymentsAsync(DateTimeOffset hourStart, DateTimeOffset windowEnd, Guid? ownerId, CancellationToken cancellationToken)
    {
        var runs = await (
            from r in db.Set<ReplicaRun>().AsNoTracking()
            join d in db.Set<Deployment>().AsNoTracking() on r.DeploymentId equals d.Id
            where r.StartedAt < windowEnd && (r.StoppedAt == null || r.StoppedAt > hourStart)
                && (ownerId == null || d.OwnerId == ownerId)
            select new { Run = r, d.OwnerId, d.Name }).ToListAsync(cancellationToken);
        if (runs.Count == 0)
        {
            return [];
        }

        var list = PriceListAt(hourStart);
        var owners = runs.Select(r => r.OwnerId).Distinct().ToList();
        var tiers = await db.Set<User>().AsNoTracking().Where(u => owners.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.Tier, cancellationToken);
        var deploymentIds = runs.Select(r => r.Run.DeploymentId).Distinct().ToList();
        var resources = (await db.Set<DeploymentRevision>().AsNoTracking().Where(v => deploymentIds.Contains(v.DeploymentId)).ToListAsync(cancellationToken))
            .ToDictionary(v => (v.DeploymentId, v.Number), v => ReplicaPods.ReadSpec(v).Resources);

        var usage = new List<MeteredUsage>();
        foreach (var group in runs.GroupBy(r => r.Run.DeploymentId))
        {
            var first = group.First();
            var price = TierPriceOf(list, tiers.GetValueOrDefault(first.OwnerId));
            long priceSeconds = 0, replicaSeconds = 0, cpuSeconds = 0, memorySeconds = 0;
            foreach (var item in group)
            {
                var start = item.Run.StartedAt > hourStart ? item.Run.StartedAt : hourStart;
                var end = item.Run.StoppedAt is { } stopped && stopped < windowEnd ? stopped : windowEnd;
                var seconds = Math.Max(0, (end.UtcTicks - start.UtcTicks) / TimeSpan.TicksPerSecond);
                var spec = resources[(item.Run.DeploymentId, item.Run.Revision)];
                checked
                {
                    priceSeconds += price.HourlyPerReplica(spec.CpuMillicores, spec.MemoryMb) * seconds;
                    replicaSeconds += seconds;
                    cpuSeconds += spec.CpuMillicores * seconds;
                    memorySeconds += spec.MemoryMb * seconds;
                }
            }

            var amount = (priceSeconds + (SecondsPerHour / 2)) / SecondsPerHour;
            usage.Add(new MeteredUsage(group.Key, first.OwnerId, first.Name, amount, list.Version, replicaSeconds, cpuSeconds, memorySeconds));
        }

        return usage;
    }

    /// <summary>
    /// What ran and is not charged yet, up to <paramref name="now"/>, per owner (of <paramref name="ownerId"/> or all): every
    /// hour after the latest rated hour (from the current hour when none is rated yet: billing begins there), metered and
    /// rounded per (deployment, hour) exactly as the rater will charge it, less what a rater already charged for an hour
    /// it has not marked yet. So balance − unrated is what the owner has now, and it does not move when an hour is rated.
    /// </summary>
    public async Task<Dictionary<Guid, long>> UnratedAsync(DateTimeOffset now, CancellationToken cancellationToken, Guid? ownerId = null)
    {
        var rated = await db.Set<RatedHour>().AsNoTracking().OrderByDescending(h => h.HourStart).Select(h => (DateTimeOffset?)h.HourStart).FirstOrDefaultAsync(cancellationToken);
        var from = rated is { } last ? last.AddHours(1) : HourOf(now);
        var charged = (await db.Set<UsageCharge>().AsNoTracking().Where(c => c.HourStart >= from && (ownerId == null || c.OwnerId == ownerId))
            .Select(c => new { c.DeploymentId, c.HourStart }).ToListAsync(cancellationToken)).Select(c => (c.DeploymentId, c.HourStart)).ToHashSet();
        var unrated = new Dictionary<Guid, long>();
        for (var hour = from; hour < now; hour = hour.AddHours(1))
        {
            foreach (var usage in await MeterHourAsync(hour, cancellationToken, ownerId, now))
            {
                if (!charged.Contains((usage.DeploymentId, hour)))
                {
                    unrated[usage.OwnerId] = checked(unrated.GetValueOrDefault(usage.OwnerId) + usage.AmountMinor);
                }
            }
        }

        return unrated;
    }

    /// <summary>
    /// The burn rate: per owner (of <paramref name="ownerId"/> or all), the price per hour of the replicas running now (open
    /// replica runs) at the price list in force at <paramref name="at"/>. One query for the runs, one for their revisions.
    /// </summary>
    private async Task<Dictionary<Guid, long>> HourlyDeploymentBurnAsync(DateTimeOffset at, Guid? ownerId, CancellationToken cancellationToken)
    {
        var open = await (
            from r in db.Set<ReplicaRun>().AsNoTracking()
            join d in db.Set<Deployment>().AsNoTracking() on r.DeploymentId equals d.Id
            where r.StoppedAt == null && (ownerId == null || d.OwnerId == ownerId)
            group r by new { d.OwnerId, r.DeploymentId, r.Revision } into g
            select new { g.Key.OwnerId, g.Key.DeploymentId, g.Key.Revision, Count = g.Count() }).ToListAsync(cancellationToken);
        if (open.Count == 0)
        {
            return [];
        }

        var list = PriceListAt(at);
        var owners = open.Select(o => o.OwnerId).Distinct().ToList();
        var tiers = await db.Set<User>().AsNoTracking().Where(u => owners.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Tier, cancellationToken);
        var ids = open.Select(o => o.DeploymentId).Distinct().ToList();
        var resources = (await db.Set<DeploymentRevision>().AsNoTracking().Where(v => ids.Contains(v.DeploymentId)).ToListAsync(cancellationToken))
            .ToDictionary(v => (v.DeploymentId, v.Number), v => ReplicaPods.ReadSpec(v).Resources);
        var burn = new Dictionary<Guid, long>();
        foreach (var o in open)
        {
            var spec = resources[(o.DeploymentId, o.Revision)];
            var hourly = checked(TierPriceOf(list, tiers.GetValueOrDefault(o.OwnerId)).HourlyPerReplica(spec.CpuMillicores, spec.MemoryMb) * o.Count);
            burn[o.OwnerId] = checked(burn.GetValueOrDefault(o.OwnerId) + hourly);
        }

        return burn;
    }

    /// <summary>The burn rate of deployments and pools: <see cref="HourlyDeploymentBurnAsync"/> plus <see cref="HourlyPoolPricesAsync"/> per owner.</summary>
    public async Task<Dictionary<Guid, long>> HourlyBurnAsync(DateTimeOffset at, CancellationToken cancellationToken, Guid? ownerId = null)
    {
        var burn = await HourlyDeploymentBurnAsync(at, ownerId, cancellationToken);
        foreach (var pool in await HourlyPoolPricesAsync(at, cancellationToken, ownerId))
        {
            burn[pool.OwnerId] = checked(burn.GetValueOrDefault(pool.OwnerId) + pool.HourlyMinor);
        }

        return burn;
    }

    /// <summary>
    /// The price per hour of one worker of a pool: its CPU and memory at the replica price, plus, for a pool the operator
    /// lists in <see cref="BillingOptions.GpuPoolCosts"/>, the GPU's provider cost plus <see cref="BillingOptions.GpuMarginPercent"/>
    /// (rounded up to the minor unit).
    /// </summary>
    public long HourlyWorkerPrice(UserTier tier, Guid poolId, ResourceSpec resources, DateTimeOffset at) =>
        checked(HourlyPrice(tier, resources, 1, at) + GpuHourlyPrice(poolId));

    /// <summary>The GPU part of a pool worker's price per hour: provider cost × (100 + margin) / 100, rounded up; 0 for a pool without a GPU.</summary>
    public long GpuHourlyPrice(Guid poolId)
    {
        var settings = options.Value;
        if (!settings.GpuPoolCosts.TryGetValue(poolId.ToString(), out var cost) || cost == 0)
        {
            return 0;
        }

        return checked(((cost * (100 + settings.GpuMarginPercent)) + 99) / 100);
    }

    /// <summary>The price list in force at <paramref name="at"/>: the latest whose EffectiveFrom is not after it (the earliest list before any).</summary>
    public PriceList PriceListAt(DateTimeOffset at)
    {
        var lists = options.Value.PriceLists.OrderBy(l => l.EffectiveFrom).ToList();
        return lists.LastOrDefault(l => l.EffectiveFrom <= at) ?? lists[0];
    }

    /// <summary>The price per hour of <paramref name="replicas"/> replicas with <paramref name="resources"/> for a user of <paramref name="tier"/>, now.</summary>
    public long HourlyPrice(UserTier tier, ResourceSpec resources, int replicas, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(resources);
        return checked(TierPriceOf(PriceListAt(at), tier).HourlyPerReplica(resources.CpuMillicores, resources.MemoryMb) * replicas);
    }

    private static TierPrice TierPriceOf(PriceList list, UserTier tier) =>
        list.Tiers.TryGetValue(tier == UserTier.Pro ? "pro" : "free", out var price) ? price : list.Tiers["free"];

    /// <summary>The start of the clock hour (UTC) that holds <paramref name="time"/>.</summary>
    public static DateTimeOffset HourOf(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero);
}
