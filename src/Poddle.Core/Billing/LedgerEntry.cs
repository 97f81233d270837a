namespace Poddle.Core.Billing;

/// <summary>One movement of a user's balance; never changed or deleted once written.</summary>
public sealed class LedgerEntry
{
    public Guid Id { get; init; }

    public Guid OwnerId { get; init; }

    /// <summary>1, 2, 3 … per user, without gaps: the ledger's order (taken under the balance row's lock).</summary>
    public long Sequence { get; init; }

    /// <summary><see cref="LedgerEntryKinds"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>Signed, in minor units: credits positive, debits negative.</summary>
    public long AmountMinor { get; init; }

    public required string Currency { get; init; }

    /// <summary>The balance right after this entry.</summary>
    public long BalanceAfterMinor { get; set; }

    /// <summary>Why, for people ("usage web 2026-12-07 14:00Z", "outage credit").</summary>
    public required string Reason { get; init; }

    /// <summary>What it refers to ("charge:{deployment}:{hour}", a provider's transaction id, a ticket).</summary>
    public required string Reference { get; init; }

    /// <summary>The admin who granted or refunded it; null for payments and charges.</summary>
    public Guid? ActorId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
