namespace Poddle.Core.Billing;

/// <summary>Usage billing settings (section "Billing"), validated at start (docs/billing.md).</summary>
public sealed class BillingOptions
{
    public const string SectionName = "Billing";

    /// <summary>
    /// Off by default: the embedded single-user installation runs without a balance. When off, no usage is rated and
    /// no balance guard applies; replica runs are still recorded, so turning it on later bills from that hour on.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>ISO 4217 code of every amount (balances, prices, charges); amounts are integers in its minor unit.</summary>
    public string Currency { get; set; } = "UZS";

    /// <summary>Creating or scaling up a deployment needs a balance covering this many hours of its price (0: no guard).</summary>
    public int GuardHours { get; set; } = 24;

    /// <summary>
    /// An hour is rated only this long after it ended, so a replica change saved a moment after the hour turned (its
    /// timestamp inside the hour) is already in the database when the hour is rated.
    /// </summary>
    public TimeSpan RatingDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>When the rating job runs (five-field cron, UTC); each run rates every hour that is due, catching up.</summary>
    public string RatingSchedule { get; set; } = "*/15 * * * *";

    /// <summary>Versioned price lists; the one in force for an hour is the latest whose EffectiveFrom is not after the hour's start.</summary>
    public List<PriceList> PriceLists { get; set; } = [PriceList.Default];
}
