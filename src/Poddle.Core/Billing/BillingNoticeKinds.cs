namespace Poddle.Core.Billing;

/// <summary>Billing notices and warning levels (wire values: the API's <c>warning</c>, notices' <c>kind</c>, webhooks).</summary>
public static class BillingNoticeKinds
{
    /// <summary>The balance lasts less than three days at the current burn.</summary>
    public const string LowThreeDays = "balance-low-3d";

    /// <summary>The balance lasts less than one day at the current burn.</summary>
    public const string LowOneDay = "balance-low-1d";

    /// <summary>The balance is zero or below.</summary>
    public const string Depleted = "balance-depleted";

    /// <summary>The owner was suspended: deployments and pools scaled to zero.</summary>
    public const string Suspended = "suspended";

    /// <summary>The owner was resumed: deployments and pools back at their kept sizes.</summary>
    public const string Resumed = "resumed";

    /// <summary>The warning levels, worst first.</summary>
    public static readonly IReadOnlyList<string> Warnings = [Depleted, LowOneDay, LowThreeDays];
}
