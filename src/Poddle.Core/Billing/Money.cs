namespace Poddle.Core.Billing;

/// <summary>
/// Money is an integer count of a currency's minor unit (tiyin for UZS: 1 UZS = 100 tiyin) with its ISO 4217 code,
/// never floating point. Every currency Poddle bills in has two decimals (UZS, USD, EUR, RUB, KZT).
/// </summary>
public static class Money
{
    public const int MinorPerMajor = 100;

    public static bool IsCurrencyCode(string? code) => code is { Length: 3 } && code.All(char.IsAsciiLetterUpper);
}
