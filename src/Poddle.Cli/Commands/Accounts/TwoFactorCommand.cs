namespace Poddle.Cli.Commands.Accounts;

/// <summary>
/// `poddle 2fa status|enable|disable`: TOTP two-factor sign-in for the signed-in account. API tokens (what the CLI keeps
/// after `poddle login`) are not affected.
/// </summary>
internal sealed class TwoFactorCommand(CliEnvironment environment, GlobalOptions globals) : CliCommandGroup(
    "2fa",
    "Two-factor sign-in with an authenticator app (TOTP): status, enable, disable",
    new TwoFactorStatusCommand(environment, globals),
    new EnableTwoFactorCommand(environment, globals),
    new DisableTwoFactorCommand(environment, globals));
