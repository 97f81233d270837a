using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Accounts;

/// <summary>
/// `poddle password reset`: "forgot my password". With --email (or asked for) it has a reset code mailed; with --token
/// it sets the new password. In a terminal it does both in one go, asking for the code from the mail.
/// </summary>
internal sealed class PasswordResetCommand : CliCommand
{
    private readonly Option<string?> _email = new("--email") { Description = "The account's email address: a reset code is mailed to it" };
    private readonly Option<string?> _token = new("--token") { Description = "The reset code from the mail: set the new password with it" };
    private readonly Option<bool> _passwordStdin = new("--password-stdin") { Description = "Read the new password from the first line of standard input" };

    public PasswordResetCommand(CliEnvironment environment, GlobalOptions globals)
        : base("reset", "Mail a reset code (--email), then set a new password with it (--token)", environment, globals)
    {
        Options.Add(_email);
        Options.Add(_token);
        Options.Add(_passwordStdin);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var client = context.Anonymous();
        var code = parse.GetValue(_token);
        if (code is null)
        {
            var address = parse.GetValue(_email) ?? Prompts.Ask(context, "Email of the account:", "--email (or --token)");
            var accepted = await client.RequestPasswordResetAsync(new PasswordResetRequest(address), cancellationToken);
            if (!context.Environment.IsInteractive || context.Output.Json)
            {
                AcceptedReport.Write(context, accepted, $"{accepted.Message}{Environment.NewLine}Then set a new password: poddle password reset --token <code> --password-stdin");
                return ExitCode.Ok;
            }

            context.Output.Message(accepted.Message);
            code = Prompts.Ask(context, "Reset code from the mail:", "--token");
        }

        var newPassword = Prompts.ReadPassword(context, parse.GetValue(_passwordStdin), confirm: true, prompt: "New password:");
        try
        {
            await client.ConfirmPasswordResetAsync(new PasswordResetConfirmRequest(code.Trim(), newPassword), cancellationToken);
        }
        catch (PoddleApiException ex) when (ex.Code == "invalid-reset-token")
        {
            throw new CliException("The reset code is wrong, used already or expired. Ask for a new one: poddle password reset --email <your address>.");
        }

        AcceptedReport.Write(context, new AcceptedResponse("Password changed; every device was signed out."), "Password changed; every device was signed out. Sign in with `poddle login`.");
        return ExitCode.Ok;
    }
}
