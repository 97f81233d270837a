using Microsoft.EntityFrameworkCore;
using Poddle.Core.Common;

namespace Poddle.Core.Billing;

/// <summary>Many postings at once (the hourly rating of thousands of deployments), with the same invariant as one.</summary>
public sealed partial class Ledger
{
    /// <summary>
    /// Appends every posting inside the caller's transaction (required) with two round trips per owner: one
    /// <c>balance = balance + Σ amounts, last_sequence = last_sequence + n</c> (which locks the row on PostgreSQL until
    /// commit), one read of the new balance and sequence; each entry then gets its sequence and running balance in order,
    /// exactly as appending them one by one would. The entries are added to the unit of work: the caller saves (one
    /// batched insert) and commits. Every owner's account must exist.
    /// </summary>
    public async Task AddBatchAsync(IReadOnlyList<(LedgerPosting Posting, Guid EntryId)> postings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(postings);
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A batch of ledger postings needs the caller's transaction.");
        }

        var now = clock.GetStoredUtcNow();
        foreach (var owner in postings.GroupBy(p => p.Posting.OwnerId))
        {
            var items = owner.ToList();
            var sum = checked(items.Sum(i => i.Posting.AmountMinor));
            var updated = await db.Set<BillingAccount>()
                .Where(a => a.OwnerId == owner.Key)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(a => a.BalanceMinor, a => a.BalanceMinor + sum).SetProperty(a => a.LastSequence, a => a.LastSequence + items.Count),
                    cancellationToken);
            if (updated != 1)
            {
                throw new InvalidOperationException($"User {owner.Key} has no billing account; create it first.");
            }

            var account = await db.Set<BillingAccount>().AsNoTracking()
                .Where(a => a.OwnerId == owner.Key).Select(a => new { a.BalanceMinor, a.LastSequence }).SingleAsync(cancellationToken);
            var balance = account.BalanceMinor - sum;
            var sequence = account.LastSequence - items.Count;
            foreach (var (posting, entryId) in items)
            {
                balance += posting.AmountMinor;
                sequence++;
                db.Add(new LedgerEntry
                {
                    Id = entryId,
                    OwnerId = posting.OwnerId,
                    Sequence = sequence,
                    Kind = posting.Kind,
                    AmountMinor = posting.AmountMinor,
                    Currency = options.Value.Currency,
                    BalanceAfterMinor = balance,
                    Reason = posting.Reason,
                    Reference = posting.Reference,
                    ActorId = posting.ActorId,
                    CreatedAt = now,
                });
            }
        }
    }
}
