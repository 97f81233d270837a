namespace Poddle.Core.Billing;

/// <summary>
/// Money is an integer count of a currency's minor unit (tiyin for UZS: 1 UZS = 100 tiyin) with its ISO 4217 code,
/// never floating point. Every currency Poddle bills in has two decimals (UZS, USD, EUR, RUB, KZT).
/// </summary>
public static class Money
{
    public const int MinorPerMajor = 100;

    /// <summary>For people: "-12.34 UZS" (the wire's text form is the API's; this one is for mails and messages).</summary>
    public static string Format(long minor, string currency)
    {
        var abs = minor == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)Math.Abs(minor);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(minor < 0 ? "-" : "")}{abs / MinorPerMajor}.{abs % MinorPerMajor:00} {currency}");
    }

    public static bool IsCurrencyCode(string? code) => code is { Length: 3 } && code.All(char.IsAsciiLetterUpper);
}
