using Microsoft.Extensions.Options;

namespace Poddle.Server.Hosting;

/// <summary>Top-level server settings. Keys are documented in docs/operations.md.</summary>
public sealed class ServerOptions
{
    /// <summary>Where the SQLite file, the generated signing key and other local state live.</summary>
    public string DataDir { get; set; } = "data";

    /// <summary>
    /// Empty: SQLite in <see cref="DataDir"/>. "postgres://user:pass@host/db", "Host=...;Database=...": PostgreSQL.
    /// "sqlite:/path/file.db" or "Data Source=...": SQLite at that path.
    /// </summary>
    public string? Database { get; set; }

    /// <summary>Largest request body accepted (HTTP 413 beyond it).</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Seconds in-flight requests and background work get to finish on shutdown.</summary>
    public int ShutdownTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Reverse proxies whose X-Forwarded-For/-Proto are believed, as comma-separated addresses or CIDR ranges.
    /// The client address they report is what the login rate limiter and sessions see. Empty trusts nobody.
    /// </summary>
    public string TrustedProxies { get; set; } = "127.0.0.0/8,::1";

    public AdminOptions Admin { get; set; } = new();
}

/// <summary>The first admin, created on a first start when the database has no admin.</summary>
public sealed class AdminOptions
{
    public string Email { get; set; } = "admin@localhost.localdomain";

    public string Username { get; set; } = "admin";

    /// <summary>When empty a password is generated and printed once.</summary>
    public string? Password { get; set; }
}

public sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            failures.Add("DataDir must not be empty (set PODDLE_DATA_DIR or --data-dir).");
        }

        if (options.MaxRequestBodyBytes is < 1024 or > 1024L * 1024 * 1024)
        {
            failures.Add($"MaxRequestBodyBytes must be between 1024 and 1073741824 (got {options.MaxRequestBodyBytes}).");
        }

        if (TrustedProxyList.TryParse(options.TrustedProxies, out _) is { } proxyError)
        {
            failures.Add($"TrustedProxies: {proxyError}");
        }

        if (options.ShutdownTimeoutSeconds is < 1 or > 3600)
        {
            failures.Add($"ShutdownTimeoutSeconds must be between 1 and 3600 (got {options.ShutdownTimeoutSeconds}).");
        }

        if (DatabaseSettings.TryParse(options.Database, options.DataDir, out _) is { } databaseError)
        {
            failures.Add(databaseError);
        }

        if (options.Admin.Password is { Length: > 0 and < 8 })
        {
            failures.Add("Admin:Password (PODDLE_ADMIN_PASSWORD) must be at least 8 characters.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
