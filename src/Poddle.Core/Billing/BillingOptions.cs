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

    /// <summary>
    /// How often the controller checks every balance against what runs (warnings, suspension past the grace, resume),
    /// besides after each rating run and after each credit. Usage not rated yet (the current hour) counts against the
    /// balance, so a high burn is warned about and suspended within about this long, not only once its hour is rated.
    /// </summary>
    public TimeSpan MonitorInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a balance may stay below zero before its owner is suspended (deployments and pools scaled to zero, their
    /// desired sizes kept). Counted from the ledger entry that took the balance below zero, or from the zero notice of the
    /// funding period when usage not rated yet took it there (whichever came first). 0: at once.
    /// </summary>
    public TimeSpan SuspendAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Where every billing notice (low balance, zero, suspended, resumed) is also POSTed as JSON, for the operator's
    /// automation; null or empty: no webhook. Mail goes to the owner when the server has an SMTP server (Email:Smtp).
    /// </summary>
    public string? WebhookUrl { get; set; }

    /// <summary>
    /// GPU pools' provider cost per worker-hour in minor units, by pool id (PodSpec has no GPU fields yet, so the
    /// operator names the pools whose workers get a GPU). Charged as cost plus <see cref="GpuMarginPercent"/> on top of
    /// the worker's CPU and memory price.
    /// </summary>
    public Dictionary<string, long> GpuPoolCosts { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The margin on a GPU's provider cost, in percent (0–1000); the price is rounded up to the minor unit.</summary>
    public int GpuMarginPercent { get; set; } = 20;

    /// <summary>Versioned price lists; the one in force for an hour is the latest whose EffectiveFrom is not after the hour's start.</summary>
    public List<PriceList> PriceLists { get; set; } = [PriceList.Default];
}
