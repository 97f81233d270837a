using System.Security.Cryptography;
using System.Text;

namespace Poddle.Core.Billing.Payments.Click;

/// <summary>
/// Click's <c>sign_string</c>: MD5 (lowercase hex) of click_trans_id + service_id + secret_key + merchant_trans_id
/// [+ merchant_prepare_id, Complete only] + amount + action + sign_time, each exactly as sent.
/// </summary>
public static class ClickSignature
{
    public static string Compute(string clickTransId, string serviceId, string secretKey, string merchantTransId, string? merchantPrepareId, string amount, string action, string signTime)
    {
#pragma warning disable CA5351 // MD5 is what Click's protocol signs with; it is not Poddle's choice.
        var hash = MD5.HashData(Encoding.UTF8.GetBytes(string.Concat(clickTransId, serviceId, secretKey, merchantTransId, merchantPrepareId ?? string.Empty, amount, action, signTime)));
#pragma warning restore CA5351
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Compares in constant time, case-insensitively (hex).</summary>
    public static bool Matches(string expected, string? given) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(given.ToLowerInvariant()));
}
