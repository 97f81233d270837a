namespace Poddle.Server.Hosting;

/// <summary>Top-level server settings (the configuration's root: DataDir, PODDLE_DATA_DIR). Keys are documented in docs/operations.md.</summary>
public sealed class ServerOptions
{
    /// <summary>The configuration section the options are bound from: the root.</summary>
    public const string SectionName = "";

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
