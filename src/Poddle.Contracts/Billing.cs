namespace Poddle.Contracts;

/// <summary>
/// A balance. Amounts are integers in the currency's minor unit (tiyin for UZS) with the ISO 4217 code; <c>balance</c> is
/// the same amount for people ("1234.56 UZS"). <c>enabled</c> is false when the installation does not bill.
/// <c>hourlyMinor</c>: what runs now costs per hour (the burn); <c>runsOutAt</c>: when the balance is used up at that burn
/// (null when nothing runs or it is used up); <c>warning</c>: <c>balance-low-3d</c>, <c>balance-low-1d</c>,
/// <c>balance-depleted</c> or null; <c>suspendedAt</c>: set while the owner is suspended (docs/billing.md).
/// </summary>
public sealed record BalanceResponse(
    long BalanceMinor,
    string Currency,
    string Balance,
    bool Enabled,
    long HourlyMinor = 0,
    DateTimeOffset? RunsOutAt = null,
    string? Warning = null,
    DateTimeOffset? SuspendedAt = null);

/// <summary>One ledger entry: kind is payment, grant, refund (credits) or charge (debit); amountMinor is signed.</summary>
public sealed record LedgerEntryResponse(
    Guid Id,
    string Kind,
    long AmountMinor,
    string Currency,
    long BalanceAfterMinor,
    string Reason,
    string Reference,
    Guid? ActorId,
    DateTimeOffset CreatedAt);

public sealed record LedgerPageResponse(IReadOnlyList<LedgerEntryResponse> Entries, int Total);

/// <summary>One deployment this month: amount so far, price per hour of what runs now, estimate to the month's end, and what ran.</summary>
public sealed record DeploymentUsageResponse(
    Guid DeploymentId,
    string Name,
    long AmountMinor,
    long HourlyMinor,
    long EstimateMinor,
    long ReplicaSeconds,
    long CpuMillicoreSeconds,
    long MemoryMbSeconds);

public sealed record UsageResponse(
    DateTimeOffset From,
    DateTimeOffset To,
    DateTimeOffset MonthEnd,
    string Currency,
    long AmountMinor,
    long EstimateMinor,
    IReadOnlyList<DeploymentUsageResponse> Deployments);

/// <summary>An admin's credit to a user: kind "grant" or "refund", a positive amount in minor units, a reason and an optional reference.</summary>
public sealed record AdminCreditRequest(string? Kind, long AmountMinor, string? Reason, string? Reference = null);
