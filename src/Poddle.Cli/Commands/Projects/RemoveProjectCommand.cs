using System.CommandLine;
using Poddle.Cli.Deployments;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Projects;

/// <summary>`poddle projects rm NAME|ID`.</summary>
internal sealed class RemoveProjectCommand : CliCommand
{
    private readonly Argument<string> _project = new("project") { Description = "The project's name or id" };

    public RemoveProjectCommand(CliEnvironment environment, GlobalOptions globals)
        : base("rm", "Delete a project", environment, globals)
    {
        Arguments.Add(_project);
        Aliases.Add("delete");
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var client = context.Authenticated();
        var target = await DeploymentTarget.FindProjectAsync(client, parse.GetRequiredValue(_project), cancellationToken);
        await client.DeleteProjectAsync(target.Id, cancellationToken);
        context.Output.Result(target, PoddleJsonContext.Default.ProjectResponse, $"Deleted project {target.Name} ({target.Id}).");

        return ExitCode.Ok;
    }
}
