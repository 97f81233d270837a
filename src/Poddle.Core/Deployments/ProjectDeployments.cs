using Microsoft.EntityFrameworkCore;
using Poddle.Core.Persistence;
using Poddle.Core.Projects;

namespace Poddle.Core.Deployments;

/// <summary>Deployments' answer to <see cref="IProjectDeployments"/>: a deployment counts until it is <see cref="DeploymentStatus.Deleted"/>.</summary>
public sealed class ProjectDeployments(PoddleDbContext db) : IProjectDeployments
{
    public Task<int> CountLiveAsync(Guid ownerId, Guid projectId, CancellationToken cancellationToken) =>
        db.Deployments.CountAsync(
            d => d.ProjectId == projectId && d.OwnerId == ownerId && d.Status != DeploymentStatus.Deleted,
            cancellationToken);
}
