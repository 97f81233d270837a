using System.CommandLine;
using System.Globalization;
using Poddle.Cli.Output;
using Poddle.Client;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Deployments;

/// <summary>`poddle events NAME`: status changes, restarts, probe failures and rollouts, oldest first.</summary>
internal sealed class EventsCommand(CliEnvironment environment, GlobalOptions globals)
    : DeploymentCommand("events", "What happened to a deployment: status changes, restarts, probe failures, rollouts", environment, globals)
{
    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, DeploymentResponse deployment, CancellationToken cancellationToken)
    {
        var events = await client.ListDeploymentEventsAsync(deployment.Id, cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(events, PoddleJsonContext.Default.IReadOnlyListDeploymentEventResponse);
            return ExitCode.Ok;
        }

        if (events.Count == 0)
        {
            context.Output.Message($"No events for {deployment.Name} yet.");
            return ExitCode.Ok;
        }

        var table = CliOutput.Table("LAST SEEN", "SEVERITY", "REPLICA", "REASON", "MESSAGE", "COUNT");
        foreach (var e in events.OrderBy(e => e.LastSeenAt))
        {
            table.AddRow(
                new Text(e.LastSeenAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                new Text(e.Severity, e.Severity is "Warning" or "warning" or "error" ? new Style(Color.Yellow) : Style.Plain),
                new Text(e.ReplicaShortId ?? e.ReplicaId?.ToString() ?? "-"),
                new Text(e.Reason),
                new Text(e.Message),
                new Text(e.Count.ToString(CultureInfo.InvariantCulture)));
        }

        context.Output.Out.Write(table);
        return ExitCode.Ok;
    }
}
