using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Poddle.Server.Proxy;

/// <summary>
/// Per-host TLS certificates from a directory of PEM files, chosen by SNI: <c>{hostname}.crt</c> + <c>{hostname}.key</c>
/// for one host, <c>_wildcard.{domain}.crt</c> + <c>.key</c> for <c>*.{domain}</c> (one label deep, as browsers
/// match). The directory is re-read when its files change (checked every reload interval); a file that fails to load
/// is logged and skipped, and the other certificates keep working.
/// </summary>
public sealed partial class CertificateStore : IDisposable
{
    public const string WildcardPrefix = "_wildcard.";

    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly ITimer? _timer;
    private readonly Lock _gate = new();
    private volatile FrozenDictionary<string, X509Certificate2> _certificates = FrozenDictionary<string, X509Certificate2>.Empty;
    private string _fingerprint = string.Empty;

    public CertificateStore(string directory, TimeSpan reloadInterval, TimeProvider clock, ILogger logger)
    {
        _directory = directory;
        _logger = logger;
        Reload();
        _timer = clock.CreateTimer(_ => Reload(), null, reloadInterval, reloadInterval);
    }

    /// <summary>The host names (and "*.domain" wildcards) with a loaded certificate.</summary>
    public IReadOnlyCollection<string> Names => _certificates.Keys;

    /// <summary>The certificate for an SNI host name: exact match first, then the wildcard of its parent domain; null when none.</summary>
    public X509Certificate2? Select(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
        {
            return null;
        }

        var certificates = _certificates;
        var name = serverName.TrimEnd('.');
        if (certificates.TryGetValue(name, out var exact))
        {
            return exact;
        }

        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && certificates.TryGetValue("*" + name[dot..], out var wildcard) ? wildcard : null;
    }

    /// <summary>Re-reads the directory when a file was added, removed or changed since the last read.</summary>
    public void Reload()
    {
        lock (_gate)
        {
            FileInfo[] files;
            try
            {
                files = new DirectoryInfo(_directory).GetFiles("*.crt");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogDirectoryUnreadable(_logger, _directory, ex);
                return;
            }

            var fingerprint = string.Join('|', files.OrderBy(f => f.Name, StringComparer.Ordinal).Select(f =>
            {
                var key = new FileInfo(Path.ChangeExtension(f.FullName, ".key"));
                return $"{f.Name}:{f.LastWriteTimeUtc.Ticks}:{f.Length}:{(key.Exists ? key.LastWriteTimeUtc.Ticks : 0)}";
            }));
            if (fingerprint == _fingerprint)
            {
                return;
            }

            var loaded = new Dictionary<string, X509Certificate2>(StringComparer.OrdinalIgnoreCase);
            foreach (var file in files)
            {
                var stem = Path.GetFileNameWithoutExtension(file.Name);
                var host = stem.StartsWith(WildcardPrefix, StringComparison.OrdinalIgnoreCase) ? "*." + stem[WildcardPrefix.Length..] : stem;
                var keyPath = Path.ChangeExtension(file.FullName, ".key");
                try
                {
                    loaded[host.ToLowerInvariant()] = X509Certificate2.CreateFromPemFile(file.FullName, keyPath);
                }
                catch (Exception ex) when (ex is IOException or CryptographicException or UnauthorizedAccessException or ArgumentException)
                {
                    LogCertificateFailed(_logger, file.Name, ex.Message);
                }
            }

            _certificates = loaded.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
            _fingerprint = fingerprint;
            LogLoaded(_logger, loaded.Count, _directory);
        }
    }

    public void Dispose() => _timer?.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Count} TLS certificates from {Directory}")]
    private static partial void LogLoaded(ILogger logger, int count, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped the TLS certificate {File}: {Reason}")]
    private static partial void LogCertificateFailed(ILogger logger, string file, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read the TLS certificates directory {Directory}")]
    private static partial void LogDirectoryUnreadable(ILogger logger, string directory, Exception exception);
}
