namespace Poddle.Core.Billing;

/// <summary>
/// A user's balance. Invariant: <see cref="BalanceMinor"/> equals the sum of the user's <see cref="LedgerEntry"/>
/// amounts, because it changes only in <see cref="Ledger.AppendAsync"/>, in the transaction that inserts the entry.
/// </summary>
public sealed class BillingAccount
{
    public Guid OwnerId { get; init; }

    public long BalanceMinor { get; set; }

    /// <summary>The <see cref="LedgerEntry.Sequence"/> of the user's latest entry (0 before the first).</summary>
    public long LastSequence { get; set; }

    public required string Currency { get; init; }

    /// <summary>
    /// When the owner was suspended (balance below zero past <see cref="BillingOptions.SuspendAfter"/>); null while not
    /// suspended. Set and cleared only by <see cref="BillingMonitor"/> with a conditional update, so two servers
    /// suspend (and resume) an owner once.
    /// </summary>
    public DateTimeOffset? SuspendedAt { get; set; }
}
