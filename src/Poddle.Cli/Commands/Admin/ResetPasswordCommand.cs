using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Admin;

/// <summary>`poddle admin users reset-password USER`: a new password, generated and shown once unless piped in.</summary>
internal sealed class ResetPasswordCommand : UserCommand
{
    private readonly Option<bool> _passwordStdin = new("--password-stdin") { Description = "Read the new password from standard input (default: generate one and show it once)" };

    public ResetPasswordCommand(CliEnvironment environment, GlobalOptions globals)
        : base("reset-password", "Set a user's password (generated unless given); every session of theirs ends", environment, globals)
    {
        Options.Add(_passwordStdin);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, UserResponse user, CancellationToken cancellationToken)
    {
        var password = parse.GetValue(_passwordStdin) ? Prompts.ReadPassword(context, fromStdin: true, confirm: false) : null;
        var result = await client.ResetUserPasswordAsync(user.Id, new AdminPasswordResetRequest(password), cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(result, PoddleJsonContext.Default.AdminPasswordResetResponse);
            return ExitCode.Ok;
        }

        context.Output.Success($"Set a new password for {user.Username}; they were signed out everywhere.");
        if (result.Password is { } generated)
        {
            context.Output.Message("Their new password (shown once; pass it on safely):");

            // Alone on its line, so it can be selected or cut out of the output.
            context.Output.Out.WriteLine(generated);
        }

        return ExitCode.Ok;
    }
}
