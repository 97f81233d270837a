namespace Poddle.Cli.Commands.Projects;

/// <summary>`poddle projects ls|create|rm`.</summary>
internal sealed class ProjectsCommand(CliEnvironment environment, GlobalOptions globals) : CliCommandGroup(
    "projects",
    "List, create and delete your projects",
    new ListProjectsCommand(environment, globals),
    new CreateProjectCommand(environment, globals),
    new RemoveProjectCommand(environment, globals));
