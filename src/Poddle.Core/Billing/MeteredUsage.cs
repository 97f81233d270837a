namespace Poddle.Core.Billing;

/// <summary>One deployment's metered usage over a window, priced: what a <see cref="UsageCharge"/> records.</summary>
public sealed record MeteredUsage(
    Guid DeploymentId,
    Guid OwnerId,
    string DeploymentName,
    long AmountMinor,
    string PriceListVersion,
    long ReplicaSeconds,
    long CpuMillicoreSeconds,
    long MemoryMbSeconds);
