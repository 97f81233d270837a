namespace Poddle.Core.Billing;

/// <summary>One version of the prices, in force from <see cref="EffectiveFrom"/> until the next version's.</summary>
public sealed class PriceList
{
    /// <summary>The design's example: per hour 100 UZS per 250 millicores, 50 UZS per 100 MB, 200 UZS per replica (in tiyin).</summary>
    public static PriceList Default => new()
    {
        Version = "2026-01",
        EffectiveFrom = DateTimeOffset.UnixEpoch,
        Tiers = new(StringComparer.OrdinalIgnoreCase)
        {
            ["free"] = new TierPrice { CpuPer250Millicores = 10_000, MemoryPer100Mb = 5_000, ReplicaBase = 20_000 },
            ["pro"] = new TierPrice { CpuPer250Millicores = 10_000, MemoryPer100Mb = 5_000, ReplicaBase = 20_000 },
        },
    };

    /// <summary>A short name recorded on every charge rated with it ("2026-01").</summary>
    public string Version { get; set; } = "";

    public DateTimeOffset EffectiveFrom { get; set; }

    /// <summary>Prices per tier (keys are tier names: free, pro).</summary>
    public Dictionary<string, TierPrice> Tiers { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
