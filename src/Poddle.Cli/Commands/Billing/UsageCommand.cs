using System.CommandLine;
using Poddle.Cli.Output;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Billing;

/// <summary>`poddle billing usage`: this month by deployment, with the estimate to the month's end.</summary>
internal sealed class UsageCommand(CliEnvironment environment, GlobalOptions globals)
    : CliCommand("usage", "This month's usage by deployment, with the estimate to the month's end", environment, globals)
{
    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var usage = await context.Authenticated().GetUsageAsync(cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(usage, PoddleJsonContext.Default.UsageResponse);
            return ExitCode.Ok;
        }

        if (usage.Deployments.Count == 0)
        {
            context.Output.Message("No usage this month. Deploy something with `poddle deploy`.");
            return ExitCode.Ok;
        }

        var table = CliOutput.Table("DEPLOYMENT", "SO FAR", "PER HOUR", "MONTH ESTIMATE", "REPLICA-HOURS", "CPU CORE-HOURS", "MEMORY GB-HOURS");
        foreach (var d in usage.Deployments)
        {
            table.AddRow(
                new Text(d.Name),
                new Text(MoneyText.Of(d.AmountMinor, usage.Currency)),
                new Text(MoneyText.Of(d.HourlyMinor, usage.Currency)),
                new Text(MoneyText.Of(d.EstimateMinor, usage.Currency)),
                new Text(MoneyText.Hours(d.ReplicaSeconds, 1)),
                new Text(MoneyText.Hours(d.CpuMillicoreSeconds, 1000)),
                new Text(MoneyText.Hours(d.MemoryMbSeconds, 1000)));
        }

        context.Output.Out.Write(table);
        context.Output.Message($"Total so far {MoneyText.Of(usage.AmountMinor, usage.Currency)}; estimate to {CliOutput.Minute(usage.MonthEnd)}: {MoneyText.Of(usage.EstimateMinor, usage.Currency)}.");
        return ExitCode.Ok;
    }
}
