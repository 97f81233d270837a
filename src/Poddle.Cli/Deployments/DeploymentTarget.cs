using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Deployments;

/// <summary>
/// Finds the project and deployment a command means: --project, else the `project` of the app file in the
/// working directory, else the user's only project; a deployment by id, or by name in that project.
/// </summary>
internal static class DeploymentTarget
{
    /// <summary>The --project option every deployment command takes.</summary>
    public static Option<string?> ProjectOption() => new("--project", "-p")
    {
        Description = "The project's name or id (default: `project` in ./poddle.toml, else your only project)",
    };

    /// <summary>The project: <paramref name="flag"/>, else <paramref name="fromFile"/> (read only when needed), else the only one the user has.</summary>
    public static async Task<ProjectResponse> ResolveProjectAsync(PoddleClient client, string? flag, Func<string?> fromFile, CancellationToken cancellationToken)
    {
        if ((flag ?? fromFile()) is { } named)
        {
            return await FindProjectAsync(client, named, cancellationToken);
        }

        var projects = await client.ListProjectsAsync(cancellationToken);
        return projects.Count switch
        {
            1 => projects[0],
            0 => throw new CliException("You have no project yet. Create one with `poddle projects create NAME`, then deploy into it."),
            _ => throw CliException.Usage(
                $"You have {projects.Count} projects ({string.Join(", ", projects.Select(p => p.Name).Order(StringComparer.Ordinal))}); say which with --project NAME, or set `project = \"NAME\"` in poddle.toml."),
        };
    }

    /// <summary>A project by id, else by exact name.</summary>
    public static async Task<ProjectResponse> FindProjectAsync(PoddleClient client, string nameOrId, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(nameOrId, out var id))
        {
            return await client.GetProjectAsync(id, cancellationToken);
        }

        var projects = await client.ListProjectsAsync(cancellationToken);
        return projects.FirstOrDefault(p => string.Equals(p.Name, nameOrId, StringComparison.Ordinal))
            ?? throw new CliException($"You have no project named '{nameOrId}'. See yours with `poddle projects ls`.");
    }

    /// <summary>The project the working directory's app file names, if it has one.</summary>
    public static string? ProjectFromWorkingDirectory(CliEnvironment environment) => AppManifest.Load(environment.WorkingDirectory).Project;

    /// <summary>A deployment by id, or by name within the resolved project.</summary>
    public static async Task<DeploymentResponse> ResolveAsync(CliContext context, PoddleClient client, string nameOrId, string? projectFlag, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(nameOrId, out var id))
        {
            return await client.GetDeploymentAsync(id, cancellationToken);
        }

        var project = await ResolveProjectAsync(client, projectFlag, () => ProjectFromWorkingDirectory(context.Environment), cancellationToken);
        var deployments = await client.ListDeploymentsAsync(project.Id, cancellationToken);
        return deployments.FirstOrDefault(d => string.Equals(d.Name, nameOrId, StringComparison.Ordinal))
            ?? throw new CliException(
                $"Project {project.Name} has no deployment named '{nameOrId}'."
                + (deployments.Count == 0 ? " Deploy one with `poddle deploy`." : $" It has: {string.Join(", ", deployments.Select(d => d.Name))} (see `poddle ps --project {project.Name}`)."));
    }
}
