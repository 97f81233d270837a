using Microsoft.EntityFrameworkCore;
using Poddle.Core.Common;
using Poddle.Core.Persistence;

namespace Poddle.Core.Projects;

public sealed record ProjectChanges(string? Name, string? Description);

/// <summary>
/// Projects scoped to their owner: every lookup filters by owner, so another user's project is "not found"
/// and its existence is never confirmed.
/// </summary>
public sealed class ProjectService(PoddleDbContext db, IProjectDeployments deployments, IDatabaseErrors databaseErrors, TimeProvider clock)
{
    public const int MaxDescriptionLength = 500;
    public const int MaxProjectsPerUser = 100;

    public async Task<Result<Project>> CreateAsync(Guid ownerId, string? name, string? description, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        ValidateName(name, errors);
        ValidateDescription(description, errors);
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        if (await db.Projects.CountAsync(p => p.OwnerId == ownerId, cancellationToken) >= MaxProjectsPerUser)
        {
            return Error.Conflict(ProjectErrorCodes.ProjectLimit, $"At most {MaxProjectsPerUser} projects per user; delete one first.");
        }

        if (await db.Projects.AnyAsync(p => p.OwnerId == ownerId && p.Name == name, cancellationToken))
        {
            return NameTaken(name!);
        }

        var now = clock.GetStoredUtcNow();
        var project = new Project
        {
            Id = Guid.CreateVersion7(now),
            OwnerId = ownerId,
            Name = name!,
            Description = NullIfBlank(description),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Projects.Add(project);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (databaseErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            return NameTaken(name!);
        }

        return project;
    }

    public async Task<IReadOnlyList<Project>> ListAsync(Guid ownerId, CancellationToken cancellationToken) =>
        await db.Projects.AsNoTracking().Where(p => p.OwnerId == ownerId).OrderBy(p => p.Name).ToListAsync(cancellationToken);

    public async Task<Result<Project>> GetAsync(Guid ownerId, Guid projectId, CancellationToken cancellationToken)
    {
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId && p.OwnerId == ownerId, cancellationToken);
        return project is null ? Error.NotFound("Project") : project;
    }

    public async Task<Result<Project>> UpdateAsync(Guid ownerId, Guid projectId, ProjectChanges changes, CancellationToken cancellationToken)
    {
        var project = await db.Projects.FirstOrDefaultAsync(p => p.Id == projectId && p.OwnerId == ownerId, cancellationToken);
        if (project is null)
        {
            return Error.NotFound("Project");
        }

        var errors = new FieldErrors();
        if (changes.Name is not null)
        {
            ValidateName(changes.Name, errors);
        }

        ValidateDescription(changes.Description, errors);
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        if (changes.Name is not null && changes.Name != project.Name)
        {
            if (await db.Projects.AnyAsync(p => p.OwnerId == ownerId && p.Name == changes.Name, cancellationToken))
            {
                return NameTaken(changes.Name);
            }

            project.Name = changes.Name;
        }

        if (changes.Description is not null)
        {
            project.Description = NullIfBlank(changes.Description);
        }

        project.UpdatedAt = clock.GetStoredUtcNow();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (databaseErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            return NameTaken(changes.Name ?? project.Name);
        }

        return project;
    }

    /// <summary>
    /// Deletes an empty project. A project whose deployments still run (or are being deleted) is refused with 409: its
    /// pods must be stopped by deleting the deployments first, never orphaned by a cascade.
    /// </summary>
    public async Task<Result<bool>> DeleteAsync(Guid ownerId, Guid projectId, CancellationToken cancellationToken)
    {
        var live = await deployments.CountLiveAsync(ownerId, projectId, cancellationToken);
        if (live > 0)
        {
            return Error.Conflict(
                ProjectErrorCodes.ProjectHasDeployments,
                $"The project still has {live} deployment(s); delete them first (poddle rm NAME, or DELETE /api/deployments/{{id}}) and wait until they are deleted.");
        }

        var deleted = await db.Projects.Where(p => p.Id == projectId && p.OwnerId == ownerId).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? Error.NotFound("Project") : true;
    }

    private static void ValidateName(string? name, FieldErrors errors)
    {
        if (!Validators.IsDnsLabel(name))
        {
            errors.Add(FieldPath.Of(nameof(ProjectChanges.Name)), "Must be a DNS label: 1-63 lower-case letters, digits or '-', not starting or ending with '-'.");
        }
    }

    private static void ValidateDescription(string? description, FieldErrors errors)
    {
        if (description is { Length: > MaxDescriptionLength })
        {
            errors.Add(FieldPath.Of(nameof(ProjectChanges.Description)), $"Must be at most {MaxDescriptionLength} characters.");
        }
    }

    private static Error NameTaken(string name) =>
        Error.Conflict(ProjectErrorCodes.ProjectNameTaken, $"You already have a project named '{name}'.", FieldPath.Of(nameof(ProjectChanges.Name)));

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
