using Microsoft.Extensions.Options;
using Poddle.Core.Jobs;

namespace Poddle.Core.Billing;

/// <summary>Checks <see cref="BillingOptions"/> (section "Billing"); every failure names the key to set.</summary>
public sealed class BillingOptionsValidator : IValidateOptions<BillingOptions>
{
    /// <summary>The largest price per hour of one unit (10^12 minor units): sums over a month stay far from overflow.</summary>
    public const long MaxUnitPrice = 1_000_000_000_000;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, BillingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!Money.IsCurrencyCode(options.Currency))
        {
            failures.Add("Billing:Currency must be an ISO 4217 code of three capital letters, such as 'UZS'.");
        }

        if (options.GuardHours is < 0 or > 24 * 366)
        {
            failures.Add("Billing:GuardHours must be between 0 and 8784.");
        }

        if (options.RatingDelay < TimeSpan.Zero || options.RatingDelay > TimeSpan.FromHours(1))
        {
            failures.Add("Billing:RatingDelay must be between 00:00:00 and 01:00:00.");
        }

        if (options.MonitorInterval < TimeSpan.FromSeconds(1) || options.MonitorInterval > TimeSpan.FromHours(1))
        {
            failures.Add("Billing:MonitorInterval must be between 00:00:01 and 01:00:00.");
        }

        if (options.SuspendAfter < TimeSpan.Zero || options.SuspendAfter > TimeSpan.FromDays(31))
        {
            failures.Add("Billing:SuspendAfter must be between 00:00:00 and 31.00:00:00.");
        }

        if (!string.IsNullOrWhiteSpace(options.WebhookUrl)
            && !(Uri.TryCreate(options.WebhookUrl, UriKind.Absolute, out var webhook) && webhook.Scheme is "http" or "https"))
        {
            failures.Add("Billing:WebhookUrl must be an absolute http or https URL (or empty for no webhook).");
        }

        if (options.GpuMarginPercent is < 0 or > 1000)
        {
            failures.Add("Billing:GpuMarginPercent must be between 0 and 1000.");
        }

        foreach (var (pool, cost) in options.GpuPoolCosts)
        {
            if (!Guid.TryParse(pool, out _))
            {
                failures.Add($"Billing:GpuPoolCosts:{pool}: the key must be a pool id (a GUID, as `poddle pools get` shows).");
            }

            if (!InRange(cost))
            {
                failures.Add($"Billing:GpuPoolCosts:{pool} must be between 0 and {MaxUnitPrice} (minor units per worker-hour).");
            }
        }

        if (!JobsOptionsValidator.IsCron(options.RatingSchedule))
        {
            failures.Add("Billing:RatingSchedule must be a five-field cron expression such as '*/15 * * * *'.");
        }

        if (options.PriceLists.Count == 0)
        {
            failures.Add("Billing:PriceLists needs at least one price list.");
        }

        for (var i = 0; i < options.PriceLists.Count; i++)
        {
            var list = options.PriceLists[i];
            var key = $"Billing:PriceLists:{i}";
            if (string.IsNullOrWhiteSpace(list.Version) || list.Version.Length > 32)
            {
                failures.Add($"{key}:Version must be a name of 1 to 32 characters.");
            }

            if (options.PriceLists.Take(i).Any(l => l.EffectiveFrom == list.EffectiveFrom || l.Version == list.Version))
            {
                failures.Add($"{key}: each price list needs its own Version and EffectiveFrom.");
            }

            foreach (var tier in new[] { "free", "pro" })
            {
                if (!list.Tiers.TryGetValue(tier, out var price))
                {
                    failures.Add($"{key}:Tiers:{tier} is missing.");
                }
                else if (!InRange(price.CpuPer250Millicores) || !InRange(price.MemoryPer100Mb) || !InRange(price.ReplicaBase))
                {
                    failures.Add($"{key}:Tiers:{tier}: CpuPer250Millicores, MemoryPer100Mb and ReplicaBase must be between 0 and {MaxUnitPrice} (minor units).");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool InRange(long price) => price is >= 0 and <= MaxUnitPrice;
}
