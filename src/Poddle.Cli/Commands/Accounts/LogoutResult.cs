namespace Poddle.Cli.Commands.Accounts;

/// <summary>--json result of `poddle logout`.</summary>
public sealed record LogoutResult(string Server, bool WasLoggedIn, bool RevokedOnServer);
