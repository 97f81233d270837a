using System.Security.Cryptography;
using System.Text.Json;

namespace Poddle.Core.Common;

/// <summary>The 32-byte key that encrypts secrets at rest (from configuration or the data directory).</summary>
public sealed record SecretEncryptionKey(byte[] Key);

/// <summary>
/// Encrypts secrets at rest with AES-256-GCM: a fresh 12-byte nonce per encryption, the 16-byte tag, and a version
/// byte in front (format: 0x01 | nonce | tag | ciphertext). It protects deployment secrets (key → value) and account
/// secrets such as TOTP keys. Values are only decrypted where they are used; nothing decrypted is logged or returned
/// by the API.
/// </summary>
public sealed class SecretProtector(SecretEncryptionKey key)
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    /// <summary>A revision's secrets; null when there are none.</summary>
    public byte[]? Protect(IReadOnlyDictionary<string, string> secrets)
    {
        if (secrets.Count == 0)
        {
            return null;
        }

        var plaintext = JsonSerializer.SerializeToUtf8Bytes(secrets);
        try
        {
            return ProtectBytes(plaintext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Encrypts one secret value (a registry password) the same way, as a one-entry map.</summary>
    public byte[] ProtectValue(string value) => Protect(new Dictionary<string, string>(StringComparer.Ordinal) { [string.Empty] = value })!;

    /// <summary>Decrypts what <see cref="ProtectValue"/> made.</summary>
    public string UnprotectValue(byte[] ciphertext) =>
        Unprotect(ciphertext).TryGetValue(string.Empty, out var value) ? value : throw new CryptographicException("Not a protected value.");

    /// <summary>Decrypts; throws <see cref="CryptographicException"/> when the data was not made with this key.</summary>
    public IReadOnlyDictionary<string, string> Unprotect(byte[]? ciphertext)
    {
        if (ciphertext is null || ciphertext.Length == 0)
        {
            return new Dictionary<string, string>();
        }

        var plaintext = UnprotectBytes(ciphertext);
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(plaintext) ?? [];
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Encrypts raw bytes (a TOTP key, say); the caller zeroes its plaintext when done.</summary>
    public byte[] ProtectBytes(ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[1 + NonceSize + TagSize + plaintext.Length];
        output[0] = Version;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(1 + NonceSize + TagSize), output.AsSpan(1 + NonceSize, TagSize));
        return output;
    }

    /// <summary>Decrypts what <see cref="ProtectBytes"/> made; throws <see cref="CryptographicException"/> for anything else.</summary>
    public byte[] UnprotectBytes(byte[] ciphertext)
    {
        ArgumentNullException.ThrowIfNull(ciphertext);
        if (ciphertext.Length < 1 + NonceSize + TagSize || ciphertext[0] != Version)
        {
            throw new CryptographicException("Unknown secrets format.");
        }

        var plaintext = new byte[ciphertext.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(key.Key, TagSize);
        aes.Decrypt(ciphertext.AsSpan(1, NonceSize), ciphertext.AsSpan(1 + NonceSize + TagSize), ciphertext.AsSpan(1 + NonceSize, TagSize), plaintext);
        return plaintext;
    }
}
