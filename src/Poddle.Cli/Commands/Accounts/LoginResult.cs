namespace Poddle.Cli.Commands.Accounts;

/// <summary>--json result of `poddle login` (the token itself stays in the config file).</summary>
public sealed record LoginResult(string Server, string Username, Guid TokenId, string TokenName, string ConfigFile);
