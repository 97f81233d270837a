using System.CommandLine;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Billing;

/// <summary>`poddle billing balance`.</summary>
internal sealed class BalanceCommand(CliEnvironment environment, GlobalOptions globals)
    : CliCommand("balance", "Show your balance", environment, globals)
{
    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var balance = await context.Authenticated().GetBalanceAsync(cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(balance, PoddleJsonContext.Default.BalanceResponse);
            return ExitCode.Ok;
        }

        context.Output.Message(balance.Enabled
            ? $"Balance: {balance.Balance}"
            : $"Balance: {balance.Balance} (billing is off on this server: nothing is charged)");
        return ExitCode.Ok;
    }
}
