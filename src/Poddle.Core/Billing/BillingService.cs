using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;

namespace Poddle.Core.Billing;

/// <summary>
/// What a user (or an admin, for any user) reads and does with billing: the balance, the ledger, this month's usage, and
/// an admin's credit (grant or refund). Every query is filtered by the owner it is asked for.
/// </summary>
public sealed class BillingService(
    PoddleDbContext db,
    Ledger ledger,
    UsageMeter meter,
    BillingMonitor monitor,
    IOptions<BillingOptions> options,
    TimeProvider clock)
{
    public const int MaxPageSize = 200;
    public const int MaxReasonLength = 500;
    public const int MaxReferenceLength = 200;

    /// <summary>The largest single credit: 10^12 minor units (10 billion UZS).</summary>
    public const long MaxCreditMinor = 1_000_000_000_000;

    public async Task<BalanceView> GetBalanceAsync(Guid ownerId, CancellationToken cancellationToken)
    {
        var account = await db.Set<BillingAccount>().AsNoTracking().Where(a => a.OwnerId == ownerId)
            .Select(a => new { a.BalanceMinor, a.SuspendedAt }).FirstOrDefaultAsync(cancellationToken);
        var balance = account?.BalanceMinor ?? 0;
        if (!options.Value.Enabled)
        {
            return new BalanceView(balance, options.Value.Currency, Enabled: false);
        }

        var now = clock.GetUtcNow();
        var burn = (await meter.HourlyBurnAsync(now, cancellationToken, ownerId)).GetValueOrDefault(ownerId);

        // Warnings and the runway are judged on what is available now, as the monitor judges them (usage not rated yet counts).
        var unrated = (await meter.UnratedAsync(now, cancellationToken, ownerId)).GetValueOrDefault(ownerId);
        var available = balance - unrated;
        return new BalanceView(
            balance,
            options.Value.Currency,
            Enabled: true,
            burn,
            BillingMonitor.RunsOutAt(available, burn, now),
            account is null ? null : BillingMonitor.WarningOf(available, burn),
            account?.SuspendedAt,
            unrated);
    }

    /// <summary>A page of the caller's ledger, newest first.</summary>
    public async Task<Result<LedgerPage>> ListTransactionsAsync(Guid ownerId, int offset, int limit, CancellationToken cancellationToken)
    {
        if (offset < 0)
        {
            return Error.Validation(FieldPath.Of("Offset"), "offset must be 0 or more.");
        }

        if (limit is < 1 or > MaxPageSize)
        {
            return Error.Validation(FieldPath.Of("Limit"), $"limit must be between 1 and {MaxPageSize}.");
        }

        var entries = db.Set<LedgerEntry>().AsNoTracking().Where(e => e.OwnerId == ownerId);
        var total = await entries.CountAsync(cancellationToken);
        var page = await entries.OrderByDescending(e => e.Sequence).Skip(offset).Take(limit).ToListAsync(cancellationToken);
        return new LedgerPage(page, total);
    }

    /// <summary>An admin's view of any user's ledger; an unknown user is a 404.</summary>
    public async Task<Result<LedgerPage>> ListTransactionsOfUserAsync(Guid userId, int offset, int limit, CancellationToken cancellationToken) =>
        await db.Set<User>().AnyAsync(u => u.Id == userId, cancellationToken)
            ? await ListTransactionsAsync(userId, offset, limit, cancellationToken)
            : Error.NotFound("User");

    /// <summary>
    /// An admin credits a user: <see cref="LedgerEntryKinds.Grant"/> or <see cref="LedgerEntryKinds.Refund"/>, with the
    /// admin recorded on the entry.
    /// </summary>
    public async Task<Result<LedgerEntry>> CreditAsync(Guid adminId, Guid userId, string? kind, long amountMinor, string? reason, string? reference, CancellationToken cancellationToken)
    {
        var fields = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (kind is not (LedgerEntryKinds.Grant or LedgerEntryKinds.Refund))
        {
            fields["Kind"] = [$"kind must be '{LedgerEntryKinds.Grant}' or '{LedgerEntryKinds.Refund}'."];
        }

        if (amountMinor is < 1 or > MaxCreditMinor)
        {
            fields["AmountMinor"] = [$"amountMinor must be between 1 and {MaxCreditMinor} ({options.Value.Currency} minor units)."];
        }

        if (string.IsNullOrWhiteSpace(reason) || reason.Length > MaxReasonLength)
        {
            fields["Reason"] = [$"reason is required, at most {MaxReasonLength} characters."];
        }

        if (reference is { Length: > MaxReferenceLength })
        {
            fields["Reference"] = [$"reference must be at most {MaxReferenceLength} characters."];
        }

        if (fields.Count > 0)
        {
            return Error.Validation(fields);
        }

        if (!await db.Set<User>().AnyAsync(u => u.Id == userId, cancellationToken))
        {
            return Error.NotFound("User");
        }

        return await CreditAsync(
            new LedgerPosting(userId, kind!, amountMinor, reason!.Trim(), string.IsNullOrWhiteSpace(reference) ? $"admin:{adminId:N}" : reference.Trim(), adminId),
            cancellationToken);
    }

    /// <summary>
    /// Credits a balance and then checks the owner (<see cref="BillingMonitor.CheckOwnerAsync"/>): a suspended owner whose
    /// balance is above zero is resumed at once. The one path for every credit (an admin's grant or refund, a payment):
    /// a caller that appends its credit inside its own transaction calls <see cref="BillingMonitor.CheckOwnerAsync"/>
    /// after committing instead. Call outside a transaction.
    /// </summary>
    public async Task<LedgerEntry> CreditAsync(LedgerPosting posting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(posting);
        if (posting.AmountMinor <= 0 || !LedgerEntryKinds.IsCredit(posting.Kind))
        {
            throw new ArgumentException("A credit is a positive amount of a credit kind (payment, grant, refund).", nameof(posting));
        }

        await ledger.EnsureAccountAsync(posting.OwnerId, cancellationToken);
        var entry = await ledger.AppendAsync(posting, cancellationToken);
        await monitor.CheckOwnerAsync(posting.OwnerId, cancellationToken);
        return entry;
    }

    /// <summary>
    /// This month (UTC) for the caller: rated charges, plus what ran since the last rated hour metered the same way, and
    /// an estimate to the month's end: the amount so far plus the current hourly price of each deployment's running
    /// replicas for the rest of the month.
    /// </summary>
    public async Task<UsageReport> GetUsageAsync(Guid ownerId, CancellationToken cancellationToken)
    {
        var now = clock.GetStoredUtcNow();
        var from = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var monthEnd = from.AddMonths(1);
        var totals = new Dictionary<Guid, (string Name, long Amount, long Replica, long Cpu, long Memory)>();
        var names = await db.Set<Deployment>().AsNoTracking().Where(d => d.OwnerId == ownerId).ToDictionaryAsync(d => d.Id, d => d.Name, cancellationToken);
        foreach (var (poolId, poolName) in await meter.PoolNamesAsync(ownerId, cancellationToken))
        {
            names[poolId] = poolName;
        }

        var charges = await db.Set<UsageCharge>().AsNoTracking().Where(c => c.OwnerId == ownerId && c.HourStart >= from).ToListAsync(cancellationToken);
        foreach (var c in charges)
        {
            Add(c.DeploymentId, names.GetValueOrDefault(c.DeploymentId, "?"), c.AmountMinor, c.ReplicaSeconds, c.CpuMillicoreSeconds, c.MemoryMbSeconds);
        }

        // Hours not rated yet (the last few, or all of them while billing is off) are metered now, the current hour up to now,
        // less what a rater already charged for an hour it has not marked yet (counted above).
        var charged = charges.Select(c => (c.DeploymentId, c.HourStart)).ToHashSet();
        var rated = await db.Set<RatedHour>().AsNoTracking().Where(h => h.HourStart >= from).OrderByDescending(h => h.HourStart)
            .Select(h => (DateTimeOffset?)h.HourStart).FirstOrDefaultAsync(cancellationToken);
        for (var hour = rated is { } last ? last.AddHours(1) : from; hour <= now; hour = hour.AddHours(1))
        {
            foreach (var u in (await meter.MeterHourAsync(hour, cancellationToken, ownerId, now)).Where(u => !charged.Contains((u.DeploymentId, hour))))
            {
                Add(u.DeploymentId, u.DeploymentName, u.AmountMinor, u.ReplicaSeconds, u.CpuMillicoreSeconds, u.MemoryMbSeconds);
            }
        }

        var hourly = await HourlyPricesAsync(ownerId, now, cancellationToken);
        var remaining = (monthEnd.UtcTicks - now.UtcTicks) / TimeSpan.TicksPerSecond;
        var deployments = totals.Keys.Union(hourly.Keys).Select(id =>
        {
            var t = totals.GetValueOrDefault(id, (names.GetValueOrDefault(id, "?"), 0, 0, 0, 0));
            var perHour = hourly.GetValueOrDefault(id);
            var estimate = checked(t.Amount + (((perHour * remaining) + (UsageMeter.SecondsPerHour / 2)) / UsageMeter.SecondsPerHour));
            return new DeploymentUsage(id, t.Name, t.Amount, perHour, estimate, t.Replica, t.Cpu, t.Memory);
        }).OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
        return new UsageReport(from, now, monthEnd, options.Value.Currency, deployments.Sum(d => d.AmountMinor), deployments.Sum(d => d.EstimateMinor), deployments);

        void Add(Guid id, string name, long amount, long replica, long cpu, long memory)
        {
            var t = totals.GetValueOrDefault(id, (name, 0, 0, 0, 0));
            totals[id] = (name, t.Amount + amount, t.Replica + replica, t.Cpu + cpu, t.Memory + memory);
        }
    }

    /// <summary>The most replica runs <see cref="ListRunsAsync"/> returns (newest first).</summary>
    public const int MaxRuns = 1000;

    /// <summary>
    /// The replica runs behind a deployment's usage this month (UTC), newest first (at most <see cref="MaxRuns"/>): each
    /// pod's start and stop as the controller recorded them and the resources it ran with, so an owner can check a charge
    /// by hand. Another owner's deployment is a 404.
    /// </summary>
    public async Task<Result<IReadOnlyList<ReplicaRunView>>> ListRunsAsync(Guid ownerId, Guid deploymentId, CancellationToken cancellationToken)
    {
        if (!await db.Set<Deployment>().AsNoTracking().AnyAsync(d => d.Id == deploymentId && d.OwnerId == ownerId, cancellationToken))
        {
            return Error.NotFound("Deployment");
        }

        var now = clock.GetStoredUtcNow();
        var from = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var runs = await db.Set<ReplicaRun>().AsNoTracking().Where(r => r.DeploymentId == deploymentId && (r.StoppedAt == null || r.StoppedAt > from))
            .OrderByDescending(r => r.StartedAt).Take(MaxRuns).ToListAsync(cancellationToken);
        var resources = (await db.Set<DeploymentRevision>().AsNoTracking().Where(v => v.DeploymentId == deploymentId).ToListAsync(cancellationToken))
            .ToDictionary(v => v.Number, v => ReplicaPods.ReadSpec(v).Resources);
        return runs.Select(r => new ReplicaRunView(r.ReplicaId, r.Revision, resources[r.Revision].CpuMillicores, resources[r.Revision].MemoryMb, r.StartedAt, r.StoppedAt)).ToList();
    }

    /// <summary>The price per hour of what runs now, per deployment (open replica runs) and pool (open worker runs) of <paramref name="ownerId"/>.</summary>
    private async Task<Dictionary<Guid, long>> HourlyPricesAsync(Guid ownerId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var prices = await HourlyDeploymentPricesAsync(ownerId, now, cancellationToken);
        foreach (var pool in await meter.HourlyPoolPricesAsync(now, cancellationToken, ownerId))
        {
            prices[pool.PoolId] = pool.HourlyMinor;
        }

        return prices;
    }

    private async Task<Dictionary<Guid, long>> HourlyDeploymentPricesAsync(Guid ownerId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var open = await (
            from r in db.Set<ReplicaRun>().AsNoTracking()
            join d in db.Set<Deployment>().AsNoTracking() on r.DeploymentId equals d.Id
            where r.StoppedAt == null && d.OwnerId == ownerId
            select new { r.DeploymentId, r.Revision }).ToListAsync(cancellationToken);
        if (open.Count == 0)
        {
            return [];
        }

        var tier = await db.Set<User>().AsNoTracking().Where(u => u.Id == ownerId).Select(u => u.Tier).FirstOrDefaultAsync(cancellationToken);
        var ids = open.Select(o => o.DeploymentId).Distinct().ToList();
        var revisions = await db.Set<DeploymentRevision>().AsNoTracking().Where(v => ids.Contains(v.DeploymentId)).ToListAsync(cancellationToken);
        return open.GroupBy(o => o.DeploymentId).ToDictionary(g => g.Key, g => g.Sum(o =>
            meter.HourlyPrice(tier, ReplicaPods.ReadSpec(revisions.First(v => v.DeploymentId == o.DeploymentId && v.Number == o.Revision)).Resources, 1, now)));
    }
}
