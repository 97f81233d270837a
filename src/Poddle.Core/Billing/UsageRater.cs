using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;
using Poddle.Core.Pools.Runtime;

namespace Poddle.Core.Billing;

/// <summary>
/// Turns metered usage into charges, hour by hour. An hour is due once it ended <see cref="BillingOptions.RatingDelay"/>
/// ago. A run rates every due hour after the latest <see cref="RatedHour"/> (or from the first recorded replica or pool worker run),
/// so a late or missed run catches up. Pools are charged like deployments, keyed by (pool, hour). Each (deployment, hour) is charged in its own transaction together with its
/// ledger debit and balance change; the unique key on (deployment, hour) turns a second attempt (a retried job, a second
/// server, a rater that died after committing) into a no-op. An hour is marked rated only after all its charges.
/// </summary>
public sealed partial class UsageRater(
    PoddleDbContext db,
    UsageMeter meter,
    Ledger ledger,
    IDatabaseErrors databaseErrors,
    IOptions<BillingOptions> options,
    TimeProvider clock,
    ILogger<UsageRater> logger)
{
    /// <summary>
    /// Charges per transaction: a batch's charges, ledger debits and balance changes commit together (so 10 000
    /// deployments are 20 transactions, not 10 000); a batch that meets an existing charge is redone one by one.
    /// </summary>
    public const int BatchSize = 500;

    /// <summary>Rates every due hour; returns how many charges this call wrote.</summary>
    public async Task<int> RateDueAsync(CancellationToken cancellationToken)
    {
        var lastDue = UsageMeter.HourOf(clock.GetUtcNow() - options.Value.RatingDelay).AddHours(-1);
        var latest = await db.Set<RatedHour>().AsNoTracking().OrderByDescending(h => h.HourStart).Select(h => (DateTimeOffset?)h.HourStart).FirstOrDefaultAsync(cancellationToken);
        DateTimeOffset next;
        if (latest is { } rated)
        {
            next = rated.AddHours(1);
        }
        else if (await FirstRunAsync(cancellationToken) is { } first)
        {
            next = UsageMeter.HourOf(first);
        }
        else
        {
            return 0;
        }

        var written = 0;
        for (var hour = next; hour <= lastDue; hour = hour.AddHours(1))
        {
            written += await RateHourAsync(hour, cancellationToken);
        }

        return written;
    }

    /// <summary>The start of the earliest replica or pool worker run, or null when nothing ever ran.</summary>
    private async Task<DateTimeOffset?> FirstRunAsync(CancellationToken cancellationToken)
    {
        var replica = await db.Set<ReplicaRun>().AsNoTracking().OrderBy(r => r.StartedAt).Select(r => (DateTimeOffset?)r.StartedAt).FirstOrDefaultAsync(cancellationToken);
        var worker = await db.Set<PoolWorkerRun>().AsNoTracking().OrderBy(r => r.StartedAt).Select(r => (DateTimeOffset?)r.StartedAt).FirstOrDefaultAsync(cancellationToken);
        return replica is null ? worker : worker is null || replica < worker ? replica : worker;
    }

    /// <summary>
    /// Where billing begins on an installation: the first time the rating job runs with billing on and no hour was ever
    /// rated, the hour before the current one is marked rated with no charge, so usage recorded before billing was turned
    /// on (replica runs are recorded whether or not billing is on) is never charged. Billing then begins with the hour it
    /// was turned on in. Two servers at once write one marker (the hour is the key).
    /// </summary>
    public async Task BeginAsync(CancellationToken cancellationToken)
    {
        if (await db.Set<RatedHour>().AsNoTracking().AnyAsync(cancellationToken))
        {
            return;
        }

        db.Add(new RatedHour { HourStart = UsageMeter.HourOf(clock.GetUtcNow()).AddHours(-1), RatedAt = clock.GetStoredUtcNow() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (databaseErrors.IsUniqueViolation(ex))
        {
            // Another server began it at the same moment.
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>Charges every deployment that ran in the hour and has no charge for it yet, then marks the hour rated.</summary>
    /// <param name="hourStart">The hour.</param>
    /// <param name="cancellationToken">Cancels.</param>
    /// <param name="batchSize">Charges per transaction; 1 is a transaction per charge, as the rater did before batching (bench/billing-rating.cs compares them).</param>
    public async Task<int> RateHourAsync(DateTimeOffset hourStart, CancellationToken cancellationToken, int batchSize = BatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var usage = await meter.MeterHourAsync(hourStart, cancellationToken);
        var charged = (await db.Set<UsageCharge>().AsNoTracking().Where(c => c.HourStart == hourStart).Select(c => c.DeploymentId).ToListAsync(cancellationToken)).ToHashSet();
        // In owner order, so two raters lock owners' balance rows in the same order (no deadlock on PostgreSQL).
        var due = usage.Where(u => u.AmountMinor > 0 && !charged.Contains(u.DeploymentId)).OrderBy(u => u.OwnerId).ThenBy(u => u.DeploymentId).ToList();
        await EnsureAccountsAsync(due.Select(u => u.OwnerId).Distinct().ToList(), cancellationToken);
        var written = 0;
        foreach (var batch in due.Chunk(batchSize))
        {
            if (await ChargeBatchAsync(hourStart, batch, cancellationToken))
            {
                written += batch.Length;
                continue;
            }

            // Another rater charged some of these meanwhile: one by one, each skipping what is charged already.
            foreach (var item in batch)
            {
                if (await ChargeAsync(hourStart, item, cancellationToken))
                {
                    written++;
                }
            }
        }

        db.Add(new RatedHour { HourStart = hourStart, RatedAt = clock.GetStoredUtcNow() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (databaseErrors.IsUniqueViolation(ex))
        {
            // Another rater finished the hour too.
        }
        finally
        {
            db.ChangeTracker.Clear();
        }

        if (written > 0)
        {
            LogRated(logger, hourStart, written);
        }

        return written;
    }

    /// <summary>Creates the billing accounts that do not exist yet, in one insert (one by one if another writer raced).</summary>
    private async Task EnsureAccountsAsync(List<Guid> owners, CancellationToken cancellationToken)
    {
        var existing = new HashSet<Guid>();
        foreach (var chunk in owners.Chunk(BatchSize))
        {
            existing.UnionWith(await db.Set<BillingAccount>().AsNoTracking().Where(a => chunk.Contains(a.OwnerId)).Select(a => a.OwnerId).ToListAsync(cancellationToken));
        }

        var missing = owners.Where(o => !existing.Contains(o)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        db.AddRange(missing.Select(o => new BillingAccount { OwnerId = o, Currency = options.Value.Currency }));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (databaseErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            foreach (var owner in missing)
            {
                await ledger.EnsureAccountAsync(owner, cancellationToken);
            }
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>
    /// Charges a batch in one transaction: the charges, and per owner one balance change and the ledger debits in order
    /// (<see cref="Ledger.AddBatchAsync"/>), one batched insert. False, with nothing written, when any of them was
    /// charged meanwhile (the unique key): the caller redoes the batch one by one.
    /// </summary>
    private async Task<bool> ChargeBatchAsync(DateTimeOffset hourStart, MeteredUsage[] batch, CancellationToken cancellationToken)
    {
        var hour = hourStart.UtcDateTime.ToString("yyyy-MM-ddTHH:mmZ", CultureInfo.InvariantCulture);
        var now = clock.GetStoredUtcNow();
        var postings = new List<(LedgerPosting, Guid)>(batch.Length);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            foreach (var usage in batch)
            {
                var entryId = Guid.CreateVersion7();
                db.Add(NewCharge(hourStart, usage, entryId, now));
                postings.Add((new LedgerPosting(usage.OwnerId, LedgerEntryKinds.Charge, -usage.AmountMinor, $"usage of {usage.DeploymentName}, hour {hour}", ChargeReference(usage.DeploymentId, hourStart)), entryId));
            }

            await ledger.AddBatchAsync(postings, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException ex) when (databaseErrors.IsUniqueViolation(ex))
        {
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    private UsageCharge NewCharge(DateTimeOffset hourStart, MeteredUsage usage, Guid entryId, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        DeploymentId = usage.DeploymentId,
        OwnerId = usage.OwnerId,
        HourStart = hourStart,
        AmountMinor = usage.AmountMinor,
        Currency = options.Value.Currency,
        PriceListVersion = usage.PriceListVersion,
        ReplicaSeconds = usage.ReplicaSeconds,
        CpuMillicoreSeconds = usage.CpuMillicoreSeconds,
        MemoryMbSeconds = usage.MemoryMbSeconds,
        LedgerEntryId = entryId,
        CreatedAt = now,
    };

    private async Task<bool> ChargeAsync(DateTimeOffset hourStart, MeteredUsage usage, CancellationToken cancellationToken)
    {
        await ledger.EnsureAccountAsync(usage.OwnerId, cancellationToken);
        var hour = hourStart.UtcDateTime.ToString("yyyy-MM-ddTHH:mmZ", CultureInfo.InvariantCulture);
        var entryId = Guid.CreateVersion7();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            db.Add(NewCharge(hourStart, usage, entryId, clock.GetStoredUtcNow()));
            await ledger.AppendAsync(
                new LedgerPosting(usage.OwnerId, LedgerEntryKinds.Charge, -usage.AmountMinor, $"usage of {usage.DeploymentName}, hour {hour}", ChargeReference(usage.DeploymentId, hourStart)),
                cancellationToken,
                entryId);
            await transaction.CommitAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException ex) when (databaseErrors.IsUniqueViolation(ex))
        {
            // Charged by another rater between our read and our insert: the transaction rolls back, balance untouched.
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>The ledger reference of a charge: "charge:{deployment}:{hour}".</summary>
    public static string ChargeReference(Guid deploymentId, DateTimeOffset hourStart) =>
        string.Create(CultureInfo.InvariantCulture, $"charge:{deploymentId:N}:{hourStart.UtcDateTime:yyyyMMddHH}");

    [LoggerMessage(Level = LogLevel.Information, Message = "Usage rated for the hour {HourStart}: {Charges} charges")]
    private static partial void LogRated(ILogger logger, DateTimeOffset hourStart, int charges);
}
