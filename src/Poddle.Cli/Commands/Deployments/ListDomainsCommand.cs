using System.CommandLine;
using Poddle.Cli.Output;
using Poddle.Client;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Deployments;

/// <summary>`poddle domains ls NAME`.</summary>
internal sealed class ListDomainsCommand(CliEnvironment environment, GlobalOptions globals)
    : DeploymentCommand("ls", "List custom domains", environment, globals)
{
    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, DeploymentResponse deployment, CancellationToken cancellationToken)
    {
        var list = await client.ListDomainsAsync(deployment.Id, cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(list, PoddleJsonContext.Default.IReadOnlyListDomainResponse);
            return ExitCode.Ok;
        }

        if (list.Count == 0)
        {
            context.Output.Message($"{deployment.Name} has no custom domains; it is at {deployment.Url}. Add one with `poddle domains add {deployment.Name} HOST`.");
            return ExitCode.Ok;
        }

        var table = CliOutput.Table("HOST", "VERIFIED", "TXT RECORD");
        foreach (var d in list.OrderBy(d => d.Hostname, StringComparer.Ordinal))
        {
            table.AddRow(
                new Text(d.Hostname),
                new Text(d.Verified ? "yes" + (d.VerifiedBy is { } by ? $" ({by})" : string.Empty) : "no", d.Verified ? new Style(Color.Green) : new Style(Color.Yellow)),
                new Text(d.Verified ? string.Empty : $"{d.TxtRecordName} TXT \"{d.TxtRecordValue}\""));
        }

        context.Output.Out.Write(table);
        return ExitCode.Ok;
    }
}
