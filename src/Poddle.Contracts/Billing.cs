namespace Poddle.Contracts;

/// <summary>
/// A balance. Amounts are integers in the currency's minor unit (tiyin for UZS) with the ISO 4217 code; <c>balance</c> is
/// the same amount for people ("1234.56 UZS"). <c>enabled</c> is false when the installation does not bill.
/// <c>hourlyMinor</c>: what runs now costs per hour (the burn); <c>runsOutAt</c>: when the balance is used up at that burn
/// (null when nothing runs or it is used up); <c>warning</c>: <c>balance-low-3d</c>, <c>balance-low-1d</c>,
/// <c>balance-depleted</c> or null; <c>suspendedAt</c>: set while the owner is suspended; <c>unratedMinor</c>: usage not
/// charged yet (hours are rated after they end), which <c>warning</c> and <c>runsOutAt</c> count against the balance: what is
/// available now is <c>balanceMinor − unratedMinor</c> (docs/billing.md).
/// </summary>
public sealed record BalanceResponse(
    long BalanceMinor,
    string Currency,
    string Balance,
    bool Enabled,
    long HourlyMinor = 0,
    DateTimeOffset? RunsOutAt = null,
    string? Warning = null,
    DateTimeOffset? SuspendedAt = null,
    long UnratedMinor = 0);

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

/// <summary>
/// One pod's run behind a deployment's usage (GET /api/billing/usage/{deploymentId}/runs): started and stopped as the
/// controller recorded them (stoppedAt null while it runs), with the resources it was billed for; usage is metered per
/// second from these.
/// </summary>
public sealed record ReplicaRunResponse(Guid ReplicaId, int Revision, int CpuMillicores, int MemoryMb, DateTimeOffset StartedAt, DateTimeOffset? StoppedAt);

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
