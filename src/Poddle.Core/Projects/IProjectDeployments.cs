namespace Poddle.Core.Projects;

/// <summary>
/// What projects need to know of the deployments inside them: how many are not yet deleted. Owned by projects and
/// implemented by Poddle.Core.Deployments (which depends on projects, not the other way round).
/// </summary>
public interface IProjectDeployments
{
    /// <summary>Deployments of <paramref name="ownerId"/> in the project that are not deleted yet (running or being deleted).</summary>
    Task<int> CountLiveAsync(Guid ownerId, Guid projectId, CancellationToken cancellationToken);
}
