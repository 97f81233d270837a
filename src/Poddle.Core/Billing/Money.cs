using System.Globalization;

namespace Poddle.Core.Billing;

/// <summary>An amount in a currency's minor unit (tiyin for UZS: 1 UZS = 100 tiyin) with its ISO 4217 code. Never floating point.</summary>
public readonly record struct Money(long Minor, string Currency)
{
    /// <summary>Minor units per major unit: every currency Poddle bills in has two decimals (UZS, USD, EUR, RUB, KZT).</summary>
    public const int MinorPerMajor = 100;

    public static bool IsCurrencyCode(string? code) => code is { Length: 3 } && code.All(char.IsAsciiLetterUpper);

    /// <summary>"1234.56 UZS" (invariant, exact).</summary>
    public override string ToString() => Format(Minor, Currency);

    public static string Format(long minor, string currency)
    {
        var sign = minor < 0 ? "-" : "";
        var abs = minor == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)Math.Abs(minor);
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{abs / MinorPerMajor}.{abs % MinorPerMajor:00} {currency}");
    }
}
