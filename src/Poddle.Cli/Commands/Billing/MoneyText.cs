using System.Globalization;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Billing;

/// <summary>Amounts and quantities as the billing commands print them, exactly (no floating point).</summary>
internal static class MoneyText
{
    /// <summary>"1234.56 UZS" from minor units (two decimals).</summary>
    public static string Of(long minor, string currency) => MoneyFormat.Format(minor, currency);

    /// <summary>Unit-seconds as hours of (unit / <paramref name="per"/>), two decimals, rounded down.</summary>
    public static string Hours(long unitSeconds, long per)
    {
        var hundredths = unitSeconds * 100 / (3600 * per);
        return string.Create(CultureInfo.InvariantCulture, $"{hundredths / 100}.{hundredths % 100:00}");
    }
}
