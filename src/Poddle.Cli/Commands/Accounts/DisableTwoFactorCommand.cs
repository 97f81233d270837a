using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Accounts;

/// <summary>`poddle 2fa disable`: turns two-factor sign-in off with the password and a code (or a recovery code).</summary>
internal sealed class DisableTwoFactorCommand : CliCommand
{
    private readonly Option<string?> _code = new("--code") { Description = "The current code from the authenticator app" };
    private readonly Option<string?> _recoveryCode = new("--recovery-code") { Description = "A recovery code, in place of --code" };
    private readonly Option<bool> _passwordStdin = new("--password-stdin") { Description = "Read the password from the first line of standard input" };

    public DisableTwoFactorCommand(CliEnvironment environment, GlobalOptions globals)
        : base("disable", "Turn two-factor sign-in off (needs the password and a code)", environment, globals)
    {
        Options.Add(_code);
        Options.Add(_recoveryCode);
        Options.Add(_passwordStdin);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var client = context.Authenticated();
        var password = Prompts.ReadPassword(context, parse.GetValue(_passwordStdin), confirm: false);
        var (totp, recovery) = Prompts.ReadTwoFactorCode(context, parse.GetValue(_code), parse.GetValue(_recoveryCode), "Turning two-factor sign-in off needs a code");
        try
        {
            await client.DisableTwoFactorAsync(new TwoFactorDisableRequest(password, totp, recovery), cancellationToken);
        }
        catch (PoddleApiException ex) when (ex.Code == "invalid-two-factor-code")
        {
            throw new CliException("The code is wrong, expired or used already; two-factor sign-in stays on.");
        }

        AcceptedReport.Write(context, new AcceptedResponse("Two-factor sign-in is off."), "Two-factor sign-in is off.");
        return ExitCode.Ok;
    }
}
