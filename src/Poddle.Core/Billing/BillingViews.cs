namespace Poddle.Core.Billing;

/// <summary>
/// A user's balance; <see cref="Enabled"/> false when the installation does not bill. <see cref="HourlyMinor"/>: the burn
/// (what runs now, per hour); <see cref="RunsOutAt"/>: when the balance is used up at that burn; <see cref="Warning"/>: a
/// <see cref="BillingNoticeKinds"/> warning level or null; <see cref="SuspendedAt"/>: set while suspended;
/// <see cref="UnratedMinor"/>: usage not charged yet (the hours not rated yet, to now), which the warning and the runway
/// count against the balance.
/// </summary>
public sealed record BalanceView(
    long BalanceMinor,
    string Currency,
    bool Enabled,
    long HourlyMinor = 0,
    DateTimeOffset? RunsOutAt = null,
    string? Warning = null,
    DateTimeOffset? SuspendedAt = null,
    long UnratedMinor = 0);

/// <summary>One pod's run of a deployment as the controller recorded it (null <see cref="StoppedAt"/> while it runs), with the resources it ran with.</summary>
public sealed record ReplicaRunView(Guid ReplicaId, int Revision, int CpuMillicores, int MemoryMb, DateTimeOffset StartedAt, DateTimeOffset? StoppedAt);

/// <summary>One page of a user's ledger, newest first, and how many entries there are in all.</summary>
public sealed record LedgerPage(IReadOnlyList<LedgerEntry> Entries, int Total);

/// <summary>One deployment's usage this month: charged and not yet rated so far, and the estimate to the month's end at its current replicas.</summary>
public sealed record DeploymentUsage(
    Guid DeploymentId,
    string Name,
    long AmountMinor,
    long HourlyMinor,
    long EstimateMinor,
    long ReplicaSeconds,
    long CpuMillicoreSeconds,
    long MemoryMbSeconds);

/// <summary>The month so far (<see cref="From"/> to <see cref="To"/>) and the estimate to <see cref="MonthEnd"/>.</summary>
public sealed record UsageReport(
    DateTimeOffset From,
    DateTimeOffset To,
    DateTimeOffset MonthEnd,
    string Currency,
    long AmountMinor,
    long EstimateMinor,
    IReadOnlyList<DeploymentUsage> Deployments);
