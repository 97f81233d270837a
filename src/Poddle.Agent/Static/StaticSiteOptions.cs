namespace Poddle.Agent.Static;

/// <summary>Where the access log goes.</summary>
public enum AccessLogFormat
{
    /// <summary>NCSA common log format: host ident user [time] "request" status bytes.</summary>
    Common,

    /// <summary>Common plus "referer" "user-agent" (Apache's and nginx's default).</summary>
    Combined,
}

/// <summary>The settings of `poddle static` (see docs/static-and-bench.md).</summary>
public sealed record StaticSiteOptions
{
    /// <summary>
    /// The port when neither --port nor $PORT is given: 3000, as other static servers use, and not 8080, where a Poddle
    /// server listens by default (inside a pod $PORT is always set).
    /// </summary>
    public const int DefaultPort = 3000;

    /// <summary>The site directory (a built single-page app).</summary>
    public required string Root { get; init; }

    /// <summary>The address to listen on: an IP address, "localhost", or "*" / "0.0.0.0" for every interface.</summary>
    public string Host { get; init; } = "0.0.0.0";

    /// <summary>The port; 0 picks a free one (tests).</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Origins allowed to read the site cross-origin ("*" for any); empty sends no CORS headers.</summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];

    /// <summary>Answer HTML requests for paths that are not files with /index.html (client-side routing).</summary>
    public bool Spa { get; init; } = true;

    /// <summary>Write an access log line per request.</summary>
    public bool AccessLog { get; init; }

    /// <summary>The access log file; null writes it to standard output.</summary>
    public string? AccessLogPath { get; init; }

    public AccessLogFormat AccessLogFormat { get; init; } = AccessLogFormat.Combined;

    /// <summary>max-age, in seconds, of files whose names carry no hash (hashed ones get a year, HTML no-cache).</summary>
    public int MaxAgeSeconds { get; init; } = 3600;

    /// <summary>Re-index the directory when its files change.</summary>
    public bool Watch { get; init; } = true;

    /// <summary>How long a graceful stop waits for requests in flight.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public StaticIndexLimits Limits { get; init; } = new();

    /// <summary>The settings' problems, each naming its option; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Port is < 0 or > 65535)
        {
            errors.Add($"--port: {Port} is not a port (0-65535).");
        }

        if (string.IsNullOrWhiteSpace(Host))
        {
            errors.Add("--host: empty.");
        }

        if (MaxAgeSeconds < 0)
        {
            errors.Add("--max-age: must be 0 or more seconds.");
        }

        foreach (var origin in CorsOrigins)
        {
            if (origin != "*" && (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.AbsolutePath != "/"))
            {
                errors.Add($"--cors-origin: '{origin}' is not an origin (scheme://host[:port], or *).");
            }
        }

        return errors;
    }
}
