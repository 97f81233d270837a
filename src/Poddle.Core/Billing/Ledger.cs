using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Persistence;

namespace Poddle.Core.Billing;

/// <summary>What to write to a user's ledger; <see cref="AmountMinor"/> is signed (credits positive).</summary>
public sealed record LedgerPosting(Guid OwnerId, string Kind, long AmountMinor, string Reason, string Reference, Guid? ActorId = null);

/// <summary>
/// The only writer of balances. Each entry and its balance change are one transaction: the balance row is updated in
/// place (<c>balance = balance + amount</c>, which also locks it until commit on PostgreSQL; SQLite has one writer), the
/// balance after is read back under that lock and stored on the entry. So the balance always equals the ledger's sum.
/// </summary>
public sealed partial class Ledger(PoddleDbContext db, IDatabaseErrors databaseErrors, IOptions<BillingOptions> options, TimeProvider clock)
{
    /// <summary>Creates the user's account (balance zero) unless it exists; safe to race. Call outside a transaction.</summary>
    public async Task EnsureAccountAsync(Guid ownerId, CancellationToken cancellationToken)
    {
        if (await db.Set<BillingAccount>().AnyAsync(a => a.OwnerId == ownerId, cancellationToken))
        {
            return;
        }

        var account = new BillingAccount { OwnerId = ownerId, Currency = options.Value.Currency };
        db.Add(account);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (databaseErrors.IsUniqueViolation(ex))
        {
            // Another writer created it first: the same row.
        }
        finally
        {
            db.Entry(account).State = EntityState.Detached;
        }
    }

    /// <summary>
    /// Appends <paramref name="posting"/> and moves the balance, inside the caller's transaction when there is one
    /// (its other writes commit or roll back with the entry) or in one of its own. The account must exist
    /// (<see cref="EnsureAccountAsync"/>). Returns the entry as saved.
    /// </summary>
    public async Task<LedgerEntry> AppendAsync(LedgerPosting posting, CancellationToken cancellationToken, Guid? entryId = null)
    {
        ArgumentNullException.ThrowIfNull(posting);
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            var entry = await AppendInTransactionAsync(posting, entryId ?? Guid.CreateVersion7(), cancellationToken);
            if (own is not null)
            {
                await own.CommitAsync(cancellationToken);
            }

            return entry;
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync();
            }
        }
    }

    private async Task<LedgerEntry> AppendInTransactionAsync(LedgerPosting posting, Guid entryId, CancellationToken cancellationToken)
    {
        var updated = await db.Set<BillingAccount>()
            .Where(a => a.OwnerId == posting.OwnerId)
            .ExecuteUpdateAsync(
                s => s.SetProperty(a => a.BalanceMinor, a => a.BalanceMinor + posting.AmountMinor).SetProperty(a => a.LastSequence, a => a.LastSequence + 1),
                cancellationToken);
        if (updated != 1)
        {
            throw new InvalidOperationException($"User {posting.OwnerId} has no billing account; create it first.");
        }

        var account = await db.Set<BillingAccount>().AsNoTracking()
            .Where(a => a.OwnerId == posting.OwnerId).Select(a => new { a.BalanceMinor, a.LastSequence }).SingleAsync(cancellationToken);
        var entry = new LedgerEntry
        {
            Id = entryId,
            OwnerId = posting.OwnerId,
            Sequence = account.LastSequence,
            Kind = posting.Kind,
            AmountMinor = posting.AmountMinor,
            Currency = options.Value.Currency,
            BalanceAfterMinor = account.BalanceMinor,
            Reason = posting.Reason,
            Reference = posting.Reference,
            ActorId = posting.ActorId,
            CreatedAt = clock.GetStoredUtcNow(),
        };
        db.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
        return entry;
    }
}
