using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Admin;

/// <summary>`poddle admin users disable USER`: its sessions end and its tokens stop working at once.</summary>
internal sealed class DisableUserCommand(CliEnvironment environment, GlobalOptions globals)
    : UserCommand("disable", "Disable an account: its sessions end and its tokens stop working at once; sign-in is refused", environment, globals)
{
    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, UserResponse user, CancellationToken cancellationToken)
    {
        var updated = await client.DisableUserAsync(user.Id, cancellationToken);
        return Report(context, updated, $"Disabled {updated.Username}: signed out everywhere, tokens refused. Undo with `poddle admin users enable {updated.Username}`.");
    }
}
