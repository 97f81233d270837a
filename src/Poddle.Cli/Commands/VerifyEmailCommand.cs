using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands;

/// <summary>`poddle verify-email CODE` confirms the account's address with the mailed code; `--resend` has a new code mailed.</summary>
internal static class VerifyEmailCommand
{
    public static Command Create(CliEnvironment environment, GlobalOptions globals)
    {
        var code = new Argument<string?>("code") { Description = "The verification code from the mail", Arity = ArgumentArity.ZeroOrOne };
        var resend = new Option<bool>("--resend") { Description = "Mail a new code to the signed-in account's address" };
        var command = new Command("verify-email", "Confirm your email address with the mailed code (or --resend one)") { code, resend };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            if (parse.GetValue(resend))
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

            var value = parse.GetValue(code) ?? Prompts.Ask(context, "Verification code from the mail:", "The code (or --resend)");
            UserResponse user;
            try
            {
                user = await context.Anonymous().VerifyEmailAsync(new VerifyEmailRequest(value.Trim()), cancellationToken);
            }
            catch (PoddleApiException ex) when (ex.Code == "invalid-verification-token")
            {
                throw new CliException("The verification code is wrong, used already or expired. Get a new one with `poddle verify-email --resend`.");
            }

            if (context.Output.Json)
            {
                context.Output.WriteJson(user, PoddleJsonContext.Default.UserResponse);
            }
            else
            {
                context.Output.Success($"Verified {user.Email} for {user.Username}.");
            }

            return ExitCode.Ok;
        });
        return command;
    }
}
