using System.CommandLine;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Fleet;

/// <summary>`poddle pods ls [--driver D]`.</summary>
internal sealed class ListPodsCommand : FleetCommand
{
    public ListPodsCommand(CliEnvironment environment, GlobalOptions globals)
        : base("ls", "List the driver's pods: Poddle's (with kind and id) and, for RunPod, others of the account", environment, globals)
    {
        Aliases.Add("list");
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var pods = await context.Authenticated().ListPodsAsync(Driver(parse), cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(pods, PoddleJsonContext.Default.IReadOnlyListPodResponse);
            return ExitCode.Ok;
        }

        if (pods.Count == 0)
        {
            context.Output.Message("No pods. Rent one with `poddle pods create`.");
            return ExitCode.Ok;
        }

        context.Output.Out.Write(PodTable.Of(pods));
        return ExitCode.Ok;
    }
}
