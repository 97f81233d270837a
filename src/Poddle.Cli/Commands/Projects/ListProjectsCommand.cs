using System.CommandLine;
using Poddle.Cli.Output;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Projects;

/// <summary>`poddle projects ls`.</summary>
internal sealed class ListProjectsCommand : CliCommand
{
    public ListProjectsCommand(CliEnvironment environment, GlobalOptions globals)
        : base("ls", "List your projects", environment, globals)
    {
        Aliases.Add("list");
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var projects = await context.Authenticated().ListProjectsAsync(cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(projects, PoddleJsonContext.Default.IReadOnlyListProjectResponse);
            return ExitCode.Ok;
        }

        if (projects.Count == 0)
        {
            context.Output.Message("No projects yet. Create one with `poddle projects create <name>`.");
            return ExitCode.Ok;
        }

        var table = CliOutput.Table(ColumnHeaders.Name, ColumnHeaders.Id, "DESCRIPTION", ColumnHeaders.Created);
        foreach (var project in projects)
        {
            table.AddRow(
                new Text(project.Name),
                new Text(project.Id.ToString()),
                new Text(project.Description ?? string.Empty),
                new Text(CliOutput.Minute(project.CreatedAt)));
        }

        context.Output.Out.Write(table);
        return ExitCode.Ok;
    }
}
