using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Admin;

/// <summary>An `admin users` command on one account: its USER argument comes first and is found before the command runs.</summary>
internal abstract class UserCommand : CliCommand
{
    private readonly Argument<string> _user = new("user") { Description = "The user's username, email or id" };

    protected UserCommand(string name, string description, CliEnvironment environment, GlobalOptions globals)
        : base(name, description, environment, globals)
    {
        Arguments.Add(_user);
    }

    protected sealed override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var client = context.Authenticated();
        var user = await AdminUsersCommand.FindAsync(client, parse.GetRequiredValue(_user), cancellationToken);
        return await ExecuteAsync(context, parse, client, user, cancellationToken);
    }

    /// <summary>The command's work on <paramref name="user"/>.</summary>
    protected abstract Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, UserResponse user, CancellationToken cancellationToken);

    /// <summary>The updated account with --json, else <paramref name="message"/>.</summary>
    protected static ExitCode Report(CliContext context, UserResponse user, string message)
    {
        context.Output.Result(user, PoddleJsonContext.Default.UserResponse, message);

        return ExitCode.Ok;
    }
}
