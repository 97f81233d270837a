namespace Poddle.Cli.Commands.Accounts;

/// <summary>`poddle password`: its one command, <see cref="PasswordResetCommand"/>.</summary>
internal sealed class PasswordCommand(CliEnvironment environment, GlobalOptions globals) : CliCommandGroup(
    "password",
    "Reset a forgotten password by mail",
    new PasswordResetCommand(environment, globals));
