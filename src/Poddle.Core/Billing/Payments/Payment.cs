namespace Poddle.Core.Billing.Payments;

/// <summary>
/// One top-up of a user's balance through a provider: created by <c>POST /api/billing/fund</c> (state
/// <see cref="PaymentStates.Pending"/>), then bound to the provider's transaction and moved by the provider's callbacks.
/// The provider sees <see cref="Id"/> as its account or order number. Invariants: at most one provider transaction per
/// payment and one payment per (provider, transaction id) — a unique key; the balance is credited exactly once, in the
/// database transaction that moves the state from <see cref="PaymentStates.Created"/> to <see cref="PaymentStates.Performed"/>
/// (a compare-and-set on the state), and debited back once, in the one that moves it on to
/// <see cref="PaymentStates.Refunded"/>.
/// </summary>
public sealed class Payment
{
    /// <summary>The order number the provider sees (Payme's account field, Click's merchant_trans_id and prepare/confirm ids).</summary>
    public long Id { get; init; }

    public Guid OwnerId { get; init; }

    /// <summary><see cref="PaymentProviders"/>.</summary>
    public required string Provider { get; init; }

    /// <summary>The amount asked for, in minor units (tiyin): the provider must pay exactly this.</summary>
    public long AmountMinor { get; init; }

    public required string Currency { get; init; }

    /// <summary><see cref="PaymentStates"/>.</summary>
    public required string State { get; set; }

    /// <summary>The provider's transaction id (Payme's <c>id</c>, Click's <c>click_trans_id</c>); null while pending.</summary>
    public string? ProviderTransactionId { get; set; }

    /// <summary>The provider's own time of the transaction in Unix milliseconds (Payme's <c>time</c>), for statements.</summary>
    public long? ProviderTime { get; set; }

    /// <summary>When the user asked for the payment.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the provider's transaction was bound to it (Payme's <c>create_time</c>; the 12-hour timeout runs from here).</summary>
    public DateTimeOffset? TransactionCreatedAt { get; set; }

    public DateTimeOffset? PerformedAt { get; set; }

    public DateTimeOffset? CancelledAt { get; set; }

    /// <summary>Why it was cancelled, as the provider says (Payme's reason numbers, <see cref="Payme.PaymeCancelReasons"/>).</summary>
    public int? CancelReason { get; set; }

    /// <summary>The credit this payment wrote to the ledger.</summary>
    public Guid? LedgerEntryId { get; set; }

    /// <summary>The debit that gave it back (cancel after perform).</summary>
    public Guid? RefundEntryId { get; set; }
}
