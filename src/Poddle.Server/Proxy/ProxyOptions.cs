using Microsoft.Extensions.Options;

namespace Poddle.Server.Proxy;

/// <summary>The built-in reverse proxy's settings (section "Proxy"), validated at start.</summary>
public sealed class ProxyOptions
{
    public const string SectionName = "Proxy";

    /// <summary>
    /// How often the route table is re-read from the database, for changes made by other servers sharing it. Changes made
    /// in this process (<see cref="Core.Deployments.DeploymentChangeSignal"/>) are applied at once.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a replica that refused a connection gets no traffic (passive health) before it is tried again.</summary>
    public TimeSpan ReactivationPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a proxied exchange may stay idle (no bytes either way) before it is cancelled; long for SSE and WebSockets.</summary>
    public TimeSpan ActivityTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a connection to a replica may take to open before the replica counts as failed.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Seconds announced in Retry-After when an app has no ready replica.</summary>
    public int RetryAfterSeconds { get; set; } = 5;

    /// <summary>HTTPS for apps, with certificates chosen by SNI.</summary>
    public ProxyTlsOptions Tls { get; set; } = new();
}

/// <summary>HTTPS listeners whose certificate is chosen per host name (SNI) from a directory of PEM files.</summary>
public sealed class ProxyTlsOptions
{
    /// <summary>
    /// HTTPS addresses to listen on besides the server's Urls ("https://0.0.0.0:8443"); semicolon-separated. Empty: no TLS.
    /// </summary>
    public string? Urls { get; set; }

    /// <summary>
    /// Holds <c>{hostname}.crt</c> + <c>{hostname}.key</c> (PEM) per host, and <c>_wildcard.{domain}.crt</c> +
    /// <c>_wildcard.{domain}.key</c> for <c>*.{domain}</c>. Required when <see cref="Urls"/> is set.
    /// </summary>
    public string? CertificatesDirectory { get; set; }

    /// <summary>How often the directory is checked for new, changed or removed certificates.</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(30);
}

internal sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        var failures = new List<string>();
        if (options.RefreshInterval < TimeSpan.FromMilliseconds(100))
        {
            failures.Add("Proxy:RefreshInterval must be at least 00:00:00.1.");
        }

        if (options.ReactivationPeriod < TimeSpan.Zero)
        {
            failures.Add("Proxy:ReactivationPeriod must not be negative.");
        }

        if (options.ActivityTimeout < TimeSpan.FromSeconds(1) || options.ConnectTimeout < TimeSpan.FromMilliseconds(100))
        {
            failures.Add("Proxy:ActivityTimeout must be at least 00:00:01 and Proxy:ConnectTimeout at least 00:00:00.1.");
        }

        if (options.RetryAfterSeconds is < 0 or > 3600)
        {
            failures.Add("Proxy:RetryAfterSeconds must be between 0 and 3600.");
        }

        var tls = options.Tls;
        if (!string.IsNullOrWhiteSpace(tls.Urls))
        {
            foreach (var url in SplitUrls(tls.Urls))
            {
                if (!url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
                {
                    failures.Add($"Proxy:Tls:Urls: '{url}' must be an https:// address (e.g. https://0.0.0.0:8443).");
                }
            }

            if (string.IsNullOrWhiteSpace(tls.CertificatesDirectory))
            {
                failures.Add("Proxy:Tls:CertificatesDirectory must be set when Proxy:Tls:Urls is (a directory of {hostname}.crt/.key PEM files).");
            }
            else if (!Directory.Exists(tls.CertificatesDirectory))
            {
                failures.Add($"Proxy:Tls:CertificatesDirectory: the directory '{tls.CertificatesDirectory}' does not exist.");
            }

            if (tls.ReloadInterval < TimeSpan.FromSeconds(1))
            {
                failures.Add("Proxy:Tls:ReloadInterval must be at least 00:00:01.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static string[] SplitUrls(string? urls) =>
        (urls ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
