using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace Poddle.Testing;

/// <summary>
/// RFC 6238 codes computed independently of the server's library (HMAC-SHA1, 6 digits, 30-second steps), as an
/// authenticator app would: the tests check the server against the standard, not against itself.
/// </summary>
public static class TotpCalculator
{
    public const int PeriodSeconds = 30;

    public static long StepAt(DateTimeOffset at) => at.ToUnixTimeSeconds() / PeriodSeconds;

    /// <summary>The code of <paramref name="step"/> for a base32 key (as shown by the server and in otpauth:// URIs).</summary>
    public static string CodeAt(string base32Secret, long step)
    {
        var key = Base32Decode(base32Secret);
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
#pragma warning disable CA5350 // RFC 6238's default, which every authenticator app uses; HMAC-SHA1 is not broken as a MAC.
        var hash = HMACSHA1.HashData(key, counter);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }

    public static string CodeAt(string base32Secret, DateTimeOffset at) => CodeAt(base32Secret, StepAt(at));

    private static byte[] Base32Decode(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var output = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in text.TrimEnd('=').ToUpperInvariant())
        {
            buffer = (buffer << 5) | alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                output.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }

        return [.. output];
    }
}
