namespace Poddle.Core.Billing;

/// <summary>
/// Prices per hour in the currency's minor unit (tiyin for UZS). A replica pays for each started 250 millicores and each
/// started 100 MB of its limits, plus the base fee.
/// </summary>
public sealed class TierPrice
{
    public long CpuPer250Millicores { get; set; }

    public long MemoryPer100Mb { get; set; }

    public long ReplicaBase { get; set; }

    /// <summary>The price per hour of one replica with these limits: whole units, rounded up.</summary>
    public long HourlyPerReplica(int cpuMillicores, int memoryMb) => checked(
        (CeilDiv(cpuMillicores, 250) * CpuPer250Millicores) + (CeilDiv(memoryMb, 100) * MemoryPer100Mb) + ReplicaBase);

    private static long CeilDiv(int value, int unit) => value <= 0 ? 0 : ((long)value + unit - 1) / unit;
}
