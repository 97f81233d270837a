using System.Globalization;

namespace Poddle.Core.Billing.Invoices;

/// <summary>Numbers as the printable invoice and its CSV show them (invariant culture, exact: never floating point).</summary>
internal static class InvoiceFormat
{
    /// <summary>Minor units as major units with two decimals: -123456 → "-1234.56".</summary>
    public static string Amount(long minor)
    {
        var abs = minor == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)Math.Abs(minor);
        return string.Create(CultureInfo.InvariantCulture, $"{(minor < 0 ? "-" : "")}{abs / 100}.{abs % 100:00}");
    }

    /// <summary>Seconds as hours with two decimals, rounded half up (for people; the exact seconds are in the JSON).</summary>
    public static string Hours(long seconds) => Amount(((seconds * 100) + 1800) / 3600);

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
