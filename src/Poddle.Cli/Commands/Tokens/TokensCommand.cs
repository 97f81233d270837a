namespace Poddle.Cli.Commands.Tokens;

/// <summary>`poddle tokens create|ls|revoke`: API tokens for scripts and CI.</summary>
internal sealed class TokensCommand(CliEnvironment environment, GlobalOptions globals) : CliCommandGroup(
    "tokens",
    "Create, list and revoke API tokens (for scripts and CI)",
    new CreateTokenCommand(environment, globals),
    new ListTokensCommand(environment, globals),
    new RevokeTokenCommand(environment, globals));
