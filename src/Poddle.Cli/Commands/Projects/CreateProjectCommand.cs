using System.CommandLine;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Projects;

/// <summary>`poddle projects create NAME [-d TEXT]`.</summary>
internal sealed class CreateProjectCommand : CliCommand
{
    private readonly Argument<string> _name = new("name") { Description = "Project name: a DNS label (lowercase letters, digits, '-')" };
    private readonly Option<string?> _description = new("--description", "-d") { Description = "What the project is for" };

    public CreateProjectCommand(CliEnvironment environment, GlobalOptions globals)
        : base("create", "Create a project", environment, globals)
    {
        Arguments.Add(_name);
        Options.Add(_description);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var project = await context.Authenticated().CreateProjectAsync(
            new CreateProjectRequest(parse.GetRequiredValue(_name), parse.GetValue(_description)), cancellationToken);
        context.Output.Result(project, PoddleJsonContext.Default.ProjectResponse, $"Created project {project.Name} ({project.Id}).");

        return ExitCode.Ok;
    }
}
