using System.Security.Cryptography;

namespace Poddle.Server.Hosting;

/// <summary>
/// Loads a key: the configured one, else the one kept in the data directory, else a new one written there (mode 0600)
/// so it stays the same across restarts. The access-token signing key (64 bytes) and the secrets key (32 bytes).
/// </summary>
internal static class SigningKeyStore
{
    private const string FileName = "jwt-signing.key";

    public static byte[] LoadOrCreate(string? configuredBase64, string dataDir) =>
        LoadOrCreate(configuredBase64, dataDir, FileName, 64, "signs everyone out", "Auth:SigningKey");

    /// <summary>The key that encrypts deployment secrets (Deployments:SecretKey, else secrets.key in the data directory).</summary>
    public static byte[] LoadOrCreateSecretsKey(string? configuredBase64, string dataDir) =>
        LoadOrCreate(configuredBase64, dataDir, "secrets.key", 32, "makes every stored secret unreadable", "Deployments:SecretKey");

    private static byte[] LoadOrCreate(string? configuredBase64, string dataDir, string fileName, int size, string consequence, string setting)
    {
        if (!string.IsNullOrEmpty(configuredBase64))
        {
            return Convert.FromBase64String(configuredBase64);
        }

        var path = Path.Combine(dataDir, fileName);
        if (File.Exists(path))
        {
            byte[] existing;
            try
            {
                existing = Convert.FromBase64String(File.ReadAllText(path).Trim());
            }
            catch (FormatException ex)
            {
                throw new StartupConfigurationException($"The key file {path} is not base64; delete it to generate a new one ({consequence}), or set {setting}.", ex);
            }

            if (existing.Length >= size)
            {
                return existing;
            }

            throw new StartupConfigurationException($"The key file {path} holds fewer than {size} bytes; delete it to generate a new one ({consequence}), or set {setting}.");
        }

        var key = RandomNumberGenerator.GetBytes(size);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options);
            writer.Write(Convert.ToBase64String(key));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another server sharing the data directory wrote it first; use theirs.
            return LoadOrCreate(null, dataDir, fileName, size, consequence, setting);
        }

        return key;
    }
}
