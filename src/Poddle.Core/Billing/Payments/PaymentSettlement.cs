using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Poddle.Core.Common;
using Poddle.Core.Persistence;

namespace Poddle.Core.Billing.Payments;

/// <summary>
/// The state changes every provider shares, each one a compare-and-set on the payment's state so that concurrent or
/// repeated callbacks move a payment once: bind the provider's transaction, perform (credit the ledger in the same
/// database transaction), cancel (and, after perform, debit it back in the same database transaction).
/// </summary>
public sealed partial class PaymentSettlement(
    PoddleDbContext db, Ledger ledger, BillingMonitor monitor, IDatabaseErrors databaseErrors, TimeProvider clock, ILogger<PaymentSettlement> logger)
{
    public Task<Payment?> FindAsync(string provider, long id, CancellationToken cancellationToken) =>
        db.Set<Payment>().AsNoTracking().FirstOrDefaultAsync(p => p.Id == id && p.Provider == provider, cancellationToken);

    public Task<Payment?> FindByTransactionAsync(string provider, string transactionId, CancellationToken cancellationToken) =>
        db.Set<Payment>().AsNoTracking().FirstOrDefaultAsync(p => p.Provider == provider && p.ProviderTransactionId == transactionId, cancellationToken);

    /// <summary>
    /// Binds the provider's transaction to a pending payment. False when the payment is no longer pending (another
    /// transaction won, or it is final) or the transaction id is already bound to another payment.
    /// </summary>
    public async Task<bool> BindAsync(Payment payment, string transactionId, long? providerTime, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payment);
        var now = clock.GetStoredUtcNow();
        try
        {
            return await db.Set<Payment>()
                .Where(p => p.Id == payment.Id && p.State == PaymentStates.Pending)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(p => p.State, PaymentStates.Created)
                        .SetProperty(p => p.ProviderTransactionId, transactionId)
                        .SetProperty(p => p.ProviderTime, providerTime)
                        .SetProperty(p => p.TransactionCreatedAt, now),
                    cancellationToken) == 1;
        }
        catch (DbException ex) when (databaseErrors.IsUniqueViolation(new DbUpdateException(ex.Message, ex)))
        {
            // The unique (provider, transaction id) key: the same transaction is bound to another payment already.
            return false;
        }
    }

    /// <summary>
    /// Performs a created payment: moves it to <see cref="PaymentStates.Performed"/> and credits the owner, both or
    /// neither. A payment already performed is returned unchanged (a replay credits nothing). Returns the payment as stored.
    /// </summary>
    public async Task<Payment> PerformAsync(Payment payment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payment);
        await ledger.EnsureAccountAsync(payment.OwnerId, cancellationToken);
        var now = clock.GetStoredUtcNow();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var moved = await db.Set<Payment>()
                .Where(p => p.Id == payment.Id && p.State == PaymentStates.Created)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.State, PaymentStates.Performed).SetProperty(p => p.PerformedAt, now), cancellationToken);
            if (moved == 1)
            {
                var entry = await ledger.AppendAsync(
                    new LedgerPosting(payment.OwnerId, LedgerEntryKinds.Payment, payment.AmountMinor, $"payment via {payment.Provider} #{payment.Id}", Reference(payment)),
                    cancellationToken);
                await db.Set<Payment>().Where(p => p.Id == payment.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(p => p.LedgerEntryId, entry.Id), cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                LogPerformed(logger, payment.Provider, payment.Id, payment.AmountMinor);
            }
        }

        // After the commit, as for an admin's credit: a suspended owner whose balance is above zero now is resumed at once.
        await monitor.CheckOwnerAsync(payment.OwnerId, cancellationToken);

        return await ReloadAsync(payment.Id, cancellationToken);
    }

    /// <summary>
    /// Cancels a payment with the provider's <paramref name="reason"/>. Pending or created: it becomes
    /// <see cref="PaymentStates.Cancelled"/>. Performed: it becomes <see cref="PaymentStates.Refunded"/> and the amount is
    /// debited in the same transaction, unless that would take the balance below zero (the money was spent), when nothing
    /// changes and <see cref="CancelOutcome.RefundRefused"/> comes back. Final states are returned as they are.
    /// </summary>
    public async Task<(CancelOutcome Outcome, Payment Payment)> CancelAsync(Payment payment, int? reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payment);
        var now = clock.GetStoredUtcNow();
        var cancelled = await db.Set<Payment>()
            .Where(p => p.Id == payment.Id && (p.State == PaymentStates.Pending || p.State == PaymentStates.Created))
            .ExecuteUpdateAsync(
                s => s.SetProperty(p => p.State, PaymentStates.Cancelled).SetProperty(p => p.CancelledAt, now).SetProperty(p => p.CancelReason, reason),
                cancellationToken);
        if (cancelled == 1)
        {
            LogCancelled(logger, payment.Provider, payment.Id, reason);
            return (CancelOutcome.Cancelled, await ReloadAsync(payment.Id, cancellationToken));
        }

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var moved = await db.Set<Payment>()
                .Where(p => p.Id == payment.Id && p.State == PaymentStates.Performed)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(p => p.State, PaymentStates.Refunded).SetProperty(p => p.CancelledAt, now).SetProperty(p => p.CancelReason, reason),
                    cancellationToken);
            if (moved == 1)
            {
                var entry = await ledger.AppendAsync(
                    new LedgerPosting(payment.OwnerId, LedgerEntryKinds.PaymentRefund, -payment.AmountMinor, $"payment via {payment.Provider} #{payment.Id} cancelled", Reference(payment)),
                    cancellationToken);
                if (entry.BalanceAfterMinor < 0)
                {
                    // Usage was already paid with this money: the provider must not take it back (Payme's -31007).
                    await transaction.RollbackAsync(cancellationToken);
                    db.ChangeTracker.Clear();
                    LogRefundRefused(logger, payment.Provider, payment.Id);
                    return (CancelOutcome.RefundRefused, await ReloadAsync(payment.Id, cancellationToken));
                }

                await db.Set<Payment>().Where(p => p.Id == payment.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(p => p.RefundEntryId, entry.Id), cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                LogRefunded(logger, payment.Provider, payment.Id, payment.AmountMinor);
            }
        }

        return (CancelOutcome.Cancelled, await ReloadAsync(payment.Id, cancellationToken));
    }

    private static string Reference(Payment payment) => $"{payment.Provider}:{payment.ProviderTransactionId}";

    private async Task<Payment> ReloadAsync(long id, CancellationToken cancellationToken) =>
        await db.Set<Payment>().AsNoTracking().SingleAsync(p => p.Id == id, cancellationToken);
}
