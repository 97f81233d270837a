namespace Poddle.Core.Projects;

/// <summary>The stable error codes of projects.</summary>
public static class ProjectErrorCodes
{
    public const string ProjectLimit = "project-limit";
    public const string ProjectNameTaken = "project-name-taken";
    public const string ProjectHasDeployments = "project-has-deployments";
}
