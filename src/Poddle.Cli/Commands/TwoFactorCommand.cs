using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands;

/// <summary>
/// `poddle 2fa status|enable|disable`: TOTP two-factor sign-in for the signed-in account. `enable` sets up a key (needs
/// the password), shows it for an authenticator app, and turns two-factor on with a code from it — in one go in a
/// terminal, or in two runs (`enable --password-stdin`, then `enable --code CODE`) in scripts. API tokens (what the CLI
/// keeps after `poddle login`) are not affected.
/// </summary>
internal static class TwoFactorCommand
{
    public static Command Create(CliEnvironment environment, GlobalOptions globals)
    {
        var twoFactor = new Command("2fa", "Two-factor sign-in with an authenticator app (TOTP): status, enable, disable");
        twoFactor.Subcommands.Add(Status(environment, globals));
        twoFactor.Subcommands.Add(Enable(environment, globals));
        twoFactor.Subcommands.Add(Disable(environment, globals));
        return twoFactor;
    }

    private static Command Status(CliEnvironment environment, GlobalOptions globals)
    {
        var command = new Command("status", "Whether two-factor sign-in is on, and how many recovery codes are left");
        command.SetCliAction(environment, globals, async (context, _, cancellationToken) =>
        {
            var status = await context.Authenticated().GetTwoFactorStatusAsync(cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(status, PoddleJsonContext.Default.TwoFactorStatusResponse);
            }
            else if (status.Enabled)
            {
                context.Output.Message($"Two-factor sign-in is on; {status.RecoveryCodesLeft} recovery code(s) left.");
            }
            else
            {
                context.Output.Message(status.Pending
                    ? "Two-factor sign-in is set up but not on yet: confirm it with `poddle 2fa enable --code <code>`."
                    : "Two-factor sign-in is off. Turn it on with `poddle 2fa enable`.");
            }

            return ExitCode.Ok;
        });
        return command;
    }

    private static Command Enable(CliEnvironment environment, GlobalOptions globals)
    {
        var code = new Option<string?>("--code") { Description = "A code from the authenticator app: turns on the key set up before" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input" };
        var command = new Command("enable", "Set up an authenticator app and turn two-factor sign-in on") { code, passwordStdin };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var client = context.Authenticated();
            var confirmation = parse.GetValue(code);
            if (confirmation is null)
            {
                var password = Prompts.ReadPassword(context, parse.GetValue(passwordStdin), confirm: false);
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
        });
        return command;
    }

    private static Command Disable(CliEnvironment environment, GlobalOptions globals)
    {
        var code = new Option<string?>("--code") { Description = "The current code from the authenticator app" };
        var recoveryCode = new Option<string?>("--recovery-code") { Description = "A recovery code, in place of --code" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input" };
        var command = new Command("disable", "Turn two-factor sign-in off (needs the password and a code)") { code, recoveryCode, passwordStdin };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var client = context.Authenticated();
            var password = Prompts.ReadPassword(context, parse.GetValue(passwordStdin), confirm: false);
            var (totp, recovery) = Prompts.ReadTwoFactorCode(context, parse.GetValue(code), parse.GetValue(recoveryCode), "Turning two-factor sign-in off needs a code");
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
        });
        return command;
    }
}
