using System.CommandLine;
using System.Globalization;
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

        if (!balance.Enabled)
        {
            context.Output.Message($"Balance: {balance.Balance} (billing is off on this server: nothing is charged)");
            return ExitCode.Ok;
        }

        context.Output.Message($"Balance: {balance.Balance}");
        if (balance.HourlyMinor > 0)
        {
            context.Output.Message(string.Create(CultureInfo.InvariantCulture, $"Usage now: {MoneyFormat.Format(balance.HourlyMinor, balance.Currency)} an hour")
                + (balance.RunsOutAt is { } end ? string.Create(CultureInfo.InvariantCulture, $"; lasts until about {end.UtcDateTime:yyyy-MM-dd HH:mm} UTC") : string.Empty));
        }

        if (balance.SuspendedAt is { } suspended)
        {
            context.Output.Message(string.Create(CultureInfo.InvariantCulture, $"Suspended since {suspended.UtcDateTime:yyyy-MM-dd HH:mm} UTC: your deployments and pools are scaled to zero (nothing deleted) and resume once the balance is above zero. Add funds with `poddle billing fund`."));
        }
        else if (balance.Warning is not null)
        {
            context.Output.Message(balance.Warning == BalanceWarnings.Depleted
                ? "Your balance is used up: add funds with `poddle billing fund`, or your deployments will be suspended."
                : "Your balance runs low: add funds with `poddle billing fund` to keep your deployments running.");
        }

        return ExitCode.Ok;
    }
}
