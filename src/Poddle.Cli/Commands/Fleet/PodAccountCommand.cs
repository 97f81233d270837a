using System.CommandLine;
using System.Globalization;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Fleet;

/// <summary>`poddle pods account [--driver runpod]`: the provider account's balance and spend.</summary>
internal sealed class PodAccountCommand : FleetCommand
{
    public PodAccountCommand(CliEnvironment environment, GlobalOptions globals)
        : base("account", "Show the provider account's balance and spend per hour (RunPod)", environment, globals)
    {
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var account = await context.Authenticated().GetPodAccountAsync(Driver(parse), cancellationToken);
        var hours = account.SpendPerHour > 0 ? account.Balance / account.SpendPerHour : (decimal?)null;
        context.Output.Result(
            account,
            PoddleJsonContext.Default.PodAccountResponse,
            string.Create(CultureInfo.InvariantCulture, $"{account.Driver}: balance ${account.Balance:0.00}, spending ${account.SpendPerHour:0.000}/h{(hours is { } h ? $" (about {h:0} hours left)" : string.Empty)}"));
        return ExitCode.Ok;
    }
}
