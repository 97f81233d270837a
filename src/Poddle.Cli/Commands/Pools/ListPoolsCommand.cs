using System.CommandLine;
using System.Globalization;
using Poddle.Cli.Output;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Pools;

/// <summary>`poddle pools ls`.</summary>
internal sealed class ListPoolsCommand : CliCommand
{
    public ListPoolsCommand(CliEnvironment environment, GlobalOptions globals)
        : base("ls", "List your worker pools", environment, globals)
    {
        Aliases.Add("list");
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var pools = await context.Authenticated().ListPoolsAsync(cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(pools, PoddleJsonContext.Default.IReadOnlyListPoolResponse);
            return ExitCode.Ok;
        }

        if (pools.Count == 0)
        {
            context.Output.Message("No pools yet. Write a poddle-pool.toml and run `poddle pools create`.");
            return ExitCode.Ok;
        }

        var table = CliOutput.Table(ColumnHeaders.Name, ColumnHeaders.Id, "DRIVER", "WORKERS", "SCALER", ColumnHeaders.Created);
        foreach (var pool in pools)
        {
            table.AddRow(
                new Text(pool.Name),
                new Text(pool.Id.ToString()),
                new Text(pool.Driver),
                new Text(string.Create(CultureInfo.InvariantCulture, $"{pool.MinWorkers}-{pool.MaxWorkers}")),
                new Text(string.Create(CultureInfo.InvariantCulture, $"{pool.Scaler.Type} {pool.Scaler.Value}")),
                new Text(CliOutput.Minute(pool.CreatedAt)));
        }

        context.Output.Out.Write(table);
        return ExitCode.Ok;
    }
}
