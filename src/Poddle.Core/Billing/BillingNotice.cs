namespace Poddle.Core.Billing;

/// <summary>
/// One billing notice to an owner (low balance, zero, suspended, resumed): stored once per (owner, kind, period) by a
/// unique key, so two servers or a rerun never notify twice; its mail and webhook are queue jobs enqueued in the same
/// transaction. The period is the funding episode: the sequence of the owner's latest credit when the notice was due
/// (<see cref="Period"/>), so each warning comes once between two credits.
/// </summary>
public sealed class BillingNotice
{
    public Guid Id { get; init; }

    public Guid OwnerId { get; init; }

    /// <summary>One of <see cref="BillingNoticeKinds"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>The ledger sequence of the latest credit when it was due (0 before any credit).</summary>
    public long Period { get; init; }

    /// <summary>For people: the balance, the burn and when it runs out.</summary>
    public required string Message { get; init; }

    public long BalanceMinor { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
