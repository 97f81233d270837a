using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Admin;

/// <summary>`poddle admin users enable USER`.</summary>
internal sealed class EnableUserCommand(CliEnvironment environment, GlobalOptions globals)
    : UserCommand("enable", "Enable a disabled account again", environment, globals)
{
    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, UserResponse user, CancellationToken cancellationToken)
    {
        var updated = await client.EnableUserAsync(user.Id, cancellationToken);
        return Report(context, updated, $"Enabled {updated.Username}: they can sign in again.");
    }
}
