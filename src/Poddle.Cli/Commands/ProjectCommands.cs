using System.CommandLine;
using System.Globalization;
using Poddle.Cli.Output;
using Poddle.Client;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands;

/// <summary>`poddle projects ls|create|rm`.</summary>
internal static class ProjectCommands
{
    public static Command Create(CliEnvironment environment, GlobalOptions globals)
    {
        var projects = new Command("projects", "List, create and delete your projects");
        projects.Subcommands.Add(List(environment, globals));
        projects.Subcommands.Add(CreateProject(environment, globals));
        projects.Subcommands.Add(Remove(environment, globals));
        return projects;
    }

    private static Command List(CliEnvironment environment, GlobalOptions globals)
    {
        var command = new Command("ls", "List your projects");
        command.Aliases.Add("list");
        command.SetCliAction(environment, globals, async (context, _, cancellationToken) =>
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

            var table = CliOutput.Table("NAME", "ID", "DESCRIPTION", "CREATED");
            foreach (var project in projects)
            {
                table.AddRow(
                    new Text(project.Name),
                    new Text(project.Id.ToString()),
                    new Text(project.Description ?? string.Empty),
                    new Text(project.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)));
            }

            context.Output.Out.Write(table);
            return ExitCode.Ok;
        });
        return command;
    }

    private static Command CreateProject(CliEnvironment environment, GlobalOptions globals)
    {
        var name = new Argument<string>("name") { Description = "Project name: a DNS label (lowercase letters, digits, '-')" };
        var description = new Option<string?>("--description", "-d") { Description = "What the project is for" };
        var command = new Command("create", "Create a project") { name, description };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var project = await context.Authenticated().CreateProjectAsync(
                new CreateProjectRequest(parse.GetRequiredValue(name), parse.GetValue(description)), cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(project, PoddleJsonContext.Default.ProjectResponse);
            }
            else
            {
                context.Output.Success($"Created project {project.Name} ({project.Id}).");
            }

            return ExitCode.Ok;
        });
        return command;
    }

    private static Command Remove(CliEnvironment environment, GlobalOptions globals)
    {
        var project = new Argument<string>("project") { Description = "The project's name or id" };
        var command = new Command("rm", "Delete a project") { project };
        command.Aliases.Add("delete");
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var client = context.Authenticated();
            var target = await FindAsync(client, parse.GetRequiredValue(project), cancellationToken);
            await client.DeleteProjectAsync(target.Id, cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(target, PoddleJsonContext.Default.ProjectResponse);
            }
            else
            {
                context.Output.Success($"Deleted project {target.Name} ({target.Id}).");
            }

            return ExitCode.Ok;
        });
        return command;
    }

    /// <summary>A project by id, else by exact name.</summary>
    internal static async Task<ProjectResponse> FindAsync(PoddleClient client, string nameOrId, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(nameOrId, out var id))
        {
            return await client.GetProjectAsync(id, cancellationToken);
        }

        var projects = await client.ListProjectsAsync(cancellationToken);
        return projects.FirstOrDefault(p => string.Equals(p.Name, nameOrId, StringComparison.Ordinal))
            ?? throw new CliException($"You have no project named '{nameOrId}'. See yours with `poddle projects ls`.");
    }
}
