namespace Poddle.Cli.Configuration;

/// <summary>What `poddle login` remembers: the server and the API token it created there.</summary>
public sealed record CliConfig(string? Server = null, string? Token = null, Guid? TokenId = null, string? TokenName = null, string? Username = null);
