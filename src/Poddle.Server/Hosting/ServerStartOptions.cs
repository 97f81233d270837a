namespace Poddle.Server.Hosting;

/// <summary>What `poddle serve` (or a test) passes in; each value overrides configuration from files and environment.</summary>
public sealed class ServerStartOptions
{
    public string? Urls { get; init; }

    public string? DataDir { get; init; }

    /// <summary>An optional JSON config file; when null, PODDLE_CONFIG or {DataDir}/poddle.json is used if present.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Highest-precedence settings (tests use this instead of environment variables).</summary>
    public IDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Output for the one-time generated admin password; defaults to standard output.</summary>
    public TextWriter? Console { get; init; }
}
