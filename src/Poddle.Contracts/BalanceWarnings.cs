namespace Poddle.Contracts;

/// <summary>The warning levels of <see cref="BalanceResponse.Warning"/> on the wire (the server's billing notice kinds).</summary>
public static class BalanceWarnings
{
    public const string LowThreeDays = "balance-low-3d";
    public const string LowOneDay = "balance-low-1d";
    public const string Depleted = "balance-depleted";
}
