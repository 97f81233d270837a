using System.CommandLine;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Accounts;

/// <summary>`poddle 2fa status`: whether two-factor sign-in is on, and how many recovery codes are left.</summary>
internal sealed class TwoFactorStatusCommand(CliEnvironment environment, GlobalOptions globals)
    : CliCommand("status", "Whether two-factor sign-in is on, and how many recovery codes are left", environment, globals)
{
    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
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
    }
}
