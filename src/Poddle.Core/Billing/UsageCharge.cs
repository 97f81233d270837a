namespace Poddle.Core.Billing;

/// <summary>
/// One deployment's usage in one clock hour, rated. Unique by (<see cref="DeploymentId"/>, <see cref="HourStart"/>) in
/// the database: that key, not any lock, is what makes rating idempotent across retries, restarts and servers.
/// </summary>
public sealed class UsageCharge
{
    public Guid Id { get; init; }

    public Guid DeploymentId { get; init; }

    public Guid OwnerId { get; init; }

    /// <summary>The hour's start (UTC, whole hour).</summary>
    public DateTimeOffset HourStart { get; init; }

    /// <summary>The charge in minor units (positive; the ledger entry holds its negative).</summary>
    public long AmountMinor { get; init; }

    public required string Currency { get; init; }

    /// <summary>The <see cref="PriceList.Version"/> it was rated with.</summary>
    public required string PriceListVersion { get; init; }

    /// <summary>Replica-seconds in the hour (a replica running all hour is 3600).</summary>
    public long ReplicaSeconds { get; init; }

    /// <summary>Millicore-seconds and megabyte-seconds of the limits that ran, for the usage breakdown.</summary>
    public long CpuMillicoreSeconds { get; init; }

    public long MemoryMbSeconds { get; init; }

    public Guid LedgerEntryId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
