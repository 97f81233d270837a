using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Accounts;

/// <summary>
/// `poddle 2fa enable`: sets up a key (needs the password), shows it for an authenticator app, and turns two-factor on
/// with a code from it — in one go in a terminal, or in two runs (`enable --password-stdin`, then `enable --code CODE`)
/// in scripts.
/// </summary>
internal sealed class EnableTwoFactorCommand : CliCommand
{
    private readonly Option<string?> _code = new("--code") { Description = "A code from the authenticator app: turns on the key set up before" };
    private readonly Option<bool> _passwordStdin = new("--password-stdin") { Description = "Read the password from the first line of standard input" };

    public EnableTwoFactorCommand(CliEnvironment environment, GlobalOptions globals)
        : base("enable", "Set up an authenticator app and turn two-factor sign-in on", environment, globals)
    {
        Options.Add(_code);
        Options.Add(_passwordStdin);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var client = context.Authenticated();
        var confirmation = parse.GetValue(_code);
        if (confirmation is null)
        {
            var password = Prompts.ReadPassword(context, parse.GetValue(_passwordStdin), confirm: false);
            var setup = await client.SetUpTwoFactorAsync(new TwoFactorSetupRequest(password), cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(setup, PoddleJsonContext.Default.TwoFactorSetupResponse);
                return ExitCode.Ok;
            }

            context.Output.Message("Add this key to your authenticator app (or open the otpauth:// link with it):");
            context.Output.Out.WriteLine(setup.Secret);
            context.Output.Out.WriteLine(setup.OtpauthUri);
            if (!context.Environment.IsInteractive)
            {
                context.Output.Message("Then turn two-factor sign-in on with: poddle 2fa enable --code <code from the app>");
                return ExitCode.Ok;
            }

            confirmation = Prompts.Ask(context, "Code from the app:", "--code");
        }

        RecoveryCodesResponse recovery;
        try
        {
            recovery = await client.EnableTwoFactorAsync(new TwoFactorEnableRequest(confirmation.Trim()), cancellationToken);
        }
        catch (PoddleApiException ex) when (ex.Code == "invalid-two-factor-code")
        {
            throw new CliException("The code does not match the key. Check the app's clock and enter the current code: poddle 2fa enable --code <code>.");
        }
        catch (PoddleApiException ex) when (ex.Code == "two-factor-not-set-up")
        {
            throw new CliException("Nothing to confirm: set up a key first with `poddle 2fa enable` (without --code).");
        }

        if (context.Output.Json)
        {
            context.Output.WriteJson(recovery, PoddleJsonContext.Default.RecoveryCodesResponse);
            return ExitCode.Ok;
        }

        context.Output.Success("Two-factor sign-in is on. `poddle login` will ask for a code.");
        context.Output.Message("Recovery codes — each signs in once without the app. Keep them safe; they are not shown again:");
        foreach (var recoveryCode in recovery.RecoveryCodes)
        {
            context.Output.Out.WriteLine(recoveryCode);
        }

        return ExitCode.Ok;
    }
}
