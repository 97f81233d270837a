using System.Security.Cryptography;

namespace Poddle.Server.Hosting;

/// <summary>
/// Loads the access-token signing key: the configured one, else the one kept in the data directory, else a new
/// one written there (mode 0600) so tokens stay valid across restarts.
/// </summary>
internal static class SigningKeyStore
{
    private const string FileName = "jwt-signing.key";

    public static byte[] LoadOrCreate(string? configuredBase64, string dataDir)
    {
        if (!string.IsNullOrEmpty(configuredBase64))
        {
            return Convert.FromBase64String(configuredBase64);
        }

        var path = Path.Combine(dataDir, FileName);
        if (File.Exists(path))
        {
            byte[] existing;
            try
            {
                existing = Convert.FromBase64String(File.ReadAllText(path).Trim());
            }
            catch (FormatException ex)
            {
                throw new StartupConfigurationException($"The signing key file {path} is not base64; delete it to generate a new one (signs everyone out), or set Auth:SigningKey.", ex);
            }

            if (existing.Length >= 32)
            {
                return existing;
            }

            throw new StartupConfigurationException($"The signing key file {path} holds fewer than 32 bytes; delete it to generate a new one (signs everyone out), or set Auth:SigningKey.");
        }

        var key = RandomNumberGenerator.GetBytes(64);
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
            return LoadOrCreate(null, dataDir);
        }

        return key;
    }
}
