using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Accounts;

/// <summary>`poddle verify-email CODE` confirms the account's address with the mailed code; `--resend` has a new code mailed.</summary>
internal sealed class VerifyEmailCommand : CliCommand
{
    private readonly Argument<string?> _code = new("code") { Description = "The verification code from the mail", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<bool> _resend = new("--resend") { Description = "Mail a new code to the signed-in account's address" };

    public VerifyEmailCommand(CliEnvironment environment, GlobalOptions globals)
        : base("verify-email", "Confirm your email address with the mailed code (or --resend one)", environment, globals)
    {
        Arguments.Add(_code);
        Options.Add(_resend);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        if (parse.GetValue(_resend))
        {
            try
            {
                var accepted = await context.Authenticated().ResendVerificationAsync(cancellationToken);
                AcceptedReport.Write(context, accepted, accepted.Message + " Then run: poddle verify-email <code>");
            }
            catch (PoddleApiException ex) when (ex.Code == "email-already-verified")
            {
                AcceptedReport.Write(context, new AcceptedResponse(ex.Message), ex.Message);
            }

            return ExitCode.Ok;
        }

        var value = parse.GetValue(_code) ?? Prompts.Ask(context, "Verification code from the mail:", "The code (or --resend)");
        UserResponse user;
        try
        {
            user = await context.Anonymous().VerifyEmailAsync(new VerifyEmailRequest(value.Trim()), cancellationToken);
        }
        catch (PoddleApiException ex) when (ex.Code == "invalid-verification-token")
        {
            throw new CliException("The verification code is wrong, used already or expired. Get a new one with `poddle verify-email --resend`.");
        }

        context.Output.Result(user, PoddleJsonContext.Default.UserResponse, $"Verified {user.Email} for {user.Username}.");

        return ExitCode.Ok;
    }
}
