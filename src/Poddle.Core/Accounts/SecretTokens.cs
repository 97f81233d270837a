using System.Security.Cryptography;
using System.Text;

namespace Poddle.Core.Accounts;

/// <summary>Random bearer secrets and their storage form. Secrets have 256 bits of entropy, so a plain SHA-256 is a safe digest.</summary>
public static class SecretTokens
{
    public const string ApiTokenPrefix = "pdl_";

    public static string NewRefreshToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string NewApiToken() => ApiTokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static string NewPassword() => Base64Url(RandomNumberGenerator.GetBytes(18));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
