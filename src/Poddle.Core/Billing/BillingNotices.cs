using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Email;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;

namespace Poddle.Core.Billing;

/// <summary>
/// Stores a billing notice once per (owner, kind, funding period) and queues its delivery: a mail to the owner when an
/// SMTP server is configured, a POST to <see cref="BillingOptions.WebhookUrl"/> when one is set. The notice row and its
/// jobs are one SaveChanges, so a notice is delivered exactly when it is stored (at least once, by the queue's retries).
/// </summary>
public sealed partial class BillingNotices(
    PoddleDbContext db,
    JobQueue jobs,
    IDatabaseErrors databaseErrors,
    IOptions<BillingOptions> options,
    IOptions<EmailOptions> email,
    TimeProvider clock,
    ILogger<BillingNotices> logger)
{
    /// <summary>The funding period: the ledger sequence of the owner's latest credit (0 before any).</summary>
    public async Task<long> PeriodAsync(Guid ownerId, CancellationToken cancellationToken) =>
        await db.Set<LedgerEntry>().AsNoTracking()
            .Where(e => e.OwnerId == ownerId && e.AmountMinor > 0)
            .MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0;

    /// <summary>Every owner's funding period at once (owners without a credit are absent: period 0).</summary>
    public async Task<Dictionary<Guid, long>> PeriodsAsync(CancellationToken cancellationToken) =>
        await db.Set<LedgerEntry>().AsNoTracking()
            .Where(e => e.AmountMinor > 0)
            .GroupBy(e => e.OwnerId)
            .Select(g => new { Owner = g.Key, Period = g.Max(e => e.Sequence) })
            .ToDictionaryAsync(x => x.Owner, x => x.Period, cancellationToken);

    /// <summary>The (owner, kind, period) of the notices stored since <paramref name="since"/>: a cache that spares a pass most inserts; the unique key decides.</summary>
    public async Task<HashSet<(Guid Owner, string Kind, long Period)>> StoredSinceAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
        [.. (await db.Set<BillingNotice>().AsNoTracking().Where(n => n.CreatedAt >= since)
            .Select(n => new { n.OwnerId, n.Kind, n.Period }).ToListAsync(cancellationToken))
            .Select(n => (n.OwnerId, n.Kind, n.Period))];

    /// <summary>
    /// Stores and queues many notices, 500 per SaveChanges; a chunk that meets a notice another server stored meanwhile
    /// is redone one by one (<see cref="NotifyAsync"/>). Call outside a transaction. Returns how many were stored now.
    /// </summary>
    public async Task<int> NotifyManyAsync(IReadOnlyList<PendingNotice> pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var stored = 0;
        foreach (var chunk in pending.Chunk(500))
        {
            foreach (var n in chunk)
            {
                await AddAsync(n.OwnerId, n.Kind, n.Period, n.BalanceMinor, n.Message, cancellationToken);
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                stored += chunk.Length;
            }
            catch (DbUpdateException ex) when (databaseErrors.IsUniqueViolation(ex))
            {
                db.ChangeTracker.Clear();
                foreach (var n in chunk)
                {
                    stored += await NotifyAsync(n.OwnerId, n.Kind, n.Period, n.BalanceMinor, n.Message, cancellationToken) ? 1 : 0;
                }
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }

        return stored;
    }

    /// <summary>
    /// Stores and queues the notice unless this (owner, kind, period) has one; saves on its own, so call it outside a
    /// transaction (a lost race is a unique violation, which would abort a PostgreSQL transaction). True when stored now.
    /// </summary>
    public async Task<bool> NotifyAsync(Guid ownerId, string kind, long period, long balanceMinor, string message, CancellationToken cancellationToken)
    {
        if (await db.Set<BillingNotice>().AsNoTracking().AnyAsync(n => n.OwnerId == ownerId && n.Kind == kind && n.Period == period, cancellationToken))
        {
            return false;
        }

        await AddAsync(ownerId, kind, period, balanceMinor, message, cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException ex) when (databaseErrors.IsUniqueViolation(ex))
        {
            // Another server stored the same notice first: it delivers it.
            return false;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>
    /// Adds the notice and its delivery jobs to the caller's unit of work (inside its transaction) unless one exists;
    /// the caller holds what makes it the only writer (suspension's conditional update of the account) and saves.
    /// </summary>
    public async Task AddOnceAsync(Guid ownerId, string kind, long period, long balanceMinor, string message, CancellationToken cancellationToken)
    {
        if (!await db.Set<BillingNotice>().AsNoTracking().AnyAsync(n => n.OwnerId == ownerId && n.Kind == kind && n.Period == period, cancellationToken))
        {
            await AddAsync(ownerId, kind, period, balanceMinor, message, cancellationToken);
        }
    }

    private async Task AddAsync(Guid ownerId, string kind, long period, long balanceMinor, string message, CancellationToken cancellationToken)
    {
        var now = clock.GetStoredUtcNow();
        var notice = new BillingNotice
        {
            Id = Guid.CreateVersion7(now),
            OwnerId = ownerId,
            Kind = kind,
            Period = period,
            BalanceMinor = balanceMinor,
            Message = message,
            CreatedAt = now,
        };
        db.Add(notice);
        LogNotice(logger, ownerId, kind, period);
        if (email.Value.IsConfigured)
        {
            await EnqueueAsync(notice, BillingNoticeJob.Mail, cancellationToken);
        }

        if (!string.IsNullOrWhiteSpace(options.Value.WebhookUrl))
        {
            await EnqueueAsync(notice, BillingNoticeJob.Webhook, cancellationToken);
        }
    }

    private Task<Enqueued> EnqueueAsync(BillingNotice notice, string channel, CancellationToken cancellationToken) =>
        jobs.EnqueueAsync(
            BillingNoticeJob.JobKind,
            new BillingNoticePayload(notice.Id, channel),
            new EnqueueOptions(IdempotencyKey: $"{BillingNoticeJob.JobKind}:{notice.Id:N}:{channel}", MaxAttempts: BillingNoticeJob.MaxAttempts),
            cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Billing notice {Kind} for owner {OwnerId} (period {Period})")]
    private static partial void LogNotice(ILogger logger, Guid ownerId, string kind, long period);
}
