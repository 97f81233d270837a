namespace Poddle.Cli.Commands.Admin;

/// <summary>`poddle admin`: administering the server (admin role); today its accounts, <see cref="AdminUsersCommand"/>.</summary>
internal sealed class AdminCommand(CliEnvironment environment, GlobalOptions globals) : CliCommandGroup(
    "admin",
    "Administer the server (admin role)",
    new AdminUsersCommand(environment, globals));
