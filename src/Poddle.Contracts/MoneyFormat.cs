using System.Globalization;

namespace Poddle.Contracts;

/// <summary>Amounts in minor units as people read them, exactly: "1234.56 UZS" (two decimals, invariant culture).</summary>
public static class MoneyFormat
{
    public static string Format(long minor, string currency)
    {
        var abs = minor == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)Math.Abs(minor);
        return string.Create(CultureInfo.InvariantCulture, $"{(minor < 0 ? "-" : "")}{abs / 100}.{abs % 100:00} {currency}");
    }
}
