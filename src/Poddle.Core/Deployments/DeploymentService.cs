using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;

namespace Poddle.Core.Deployments;

/// <summary>
/// The API side of deployments: accepts and validates desired state, stores it as a new revision, records an event
/// and enqueues the converge job, all in one SaveChanges; the controller does the rest. Scoped to the owner: another
/// user's project or deployment is "not found" and its existence is never confirmed.
/// </summary>
public sealed partial class DeploymentService(
    PoddleDbContext db,
    JobQueue jobs,
    DeploymentEventRecorder events,
    SecretProtector secrets,
    PodDriverRegistry drivers,
    IDatabaseErrors databaseErrors,
    IReplicaHealthQuery health,
    IDeploymentBalanceGuard balance,
    IOptions<DeploymentOptions> options,
    TimeProvider clock,
    ILogger<DeploymentService> logger)
{
    public const int MaxEventsPage = 500;

    public async Task<Result<DeploymentView>> CreateAsync(Guid ownerId, Guid projectId, NewDeployment request, CancellationToken cancellationToken)
    {
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId && p.OwnerId == ownerId, cancellationToken);
        if (project is null)
        {
            return Error.NotFound("Project");
        }

        var errors = new FieldErrors();
        DeploymentValidation.ValidateName(request.Name, project.Name, errors);
        var secretValues = request.Secrets ?? new Dictionary<string, string>();
        var spec = DeploymentValidation.BuildSpec(
            request.Image, request.Command, request.SourceId, request.Port,
            request.Env ?? new Dictionary<string, string>(), secretValues,
            request.Resources, null, request.HealthCheck, null, errors) with
        {
            Security = DeploymentValidation.BuildSecurity(request.Security, null, errors),
            RegistryAuth = DeploymentValidation.BuildRegistryAuth(request.RegistryAuth, null, request.Image, secrets, errors),
        };
        var replicas = request.Replicas ?? 1;
        if (replicas < 0)
        {
            errors.Add(DeploymentFields.Replicas, "Must be 0 or more.");
        }

        var driver = DeploymentValidation.ResolveDriver(request.Driver, spec, drivers, options.Value, errors);
        await CheckSourceAsync(ownerId, spec.SourceId, errors, cancellationToken);
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        var (tierName, limits) = await TierOfAsync(ownerId, cancellationToken);
        if (DeploymentValidation.CheckTier(tierName, limits, spec.Resources, replicas) is { } overLimit)
        {
            return overLimit;
        }

        if (await db.Deployments.CountAsync(d => d.OwnerId == ownerId && d.DeletedAt == null, cancellationToken) >= limits.MaxDeployments)
        {
            return new Error(ErrorKind.Forbidden, DeploymentErrorCodes.TierLimit, $"The {tierName} tier allows at most {limits.MaxDeployments} deployments; delete one first.",
                Error.One(DeploymentFields.Deployments, $"At most {limits.MaxDeployments} deployments on the {tierName} tier."));
        }

        if (await db.Deployments.AnyAsync(d => d.ProjectId == projectId && d.Name == request.Name && d.DeletedAt == null, cancellationToken))
        {
            return NameTaken(request.Name!);
        }

        if (await balance.CheckAsync(ownerId, spec.Resources, replicas, cancellationToken) is { } unaffordable)
        {
            return unaffordable;
        }

        var now = clock.GetStoredUtcNow();
        var deployment = new Deployment
        {
            Id = Guid.CreateVersion7(now),
            ProjectId = projectId,
            OwnerId = ownerId,
            Name = request.Name!,
            Driver = driver!.Name,
            Replicas = replicas,
            CurrentRevision = 1,
            Status = DeploymentStatus.Pending,
            StatusReason = "waiting to be provisioned",
            StatusChangedAt = now,
            Generation = 1,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Deployments.Add(deployment);
        var revision = AddRevision(deployment, 1, spec, secrets.Protect(secretValues), "create", now);
        await events.RecordAsync(deployment.Id, "Created", "create",
            $"Created with revision 1 ({Describe(spec)}), {replicas} replica(s) on {driver.Name}.", cancellationToken: cancellationToken);
        if (await EnqueueAndSaveAsync(deployment, "create", cancellationToken) is { } conflict)
        {
            return conflict.Code == "conflict" ? NameTaken(request.Name!) : conflict;
        }

        LogCreated(logger, deployment.Id, deployment.Name, projectId, driver.Name);
        return new DeploymentView(deployment, project.Name, DeploymentSpecJson.Deserialize(revision.SpecJson), []);
    }

    public async Task<Result<IReadOnlyList<DeploymentView>>> ListAsync(Guid ownerId, Guid projectId, CancellationToken cancellationToken)
    {
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId && p.OwnerId == ownerId, cancellationToken);
        if (project is null)
        {
            return Error.NotFound("Project");
        }

        var rows = await (
                from d in db.Deployments.AsNoTracking()
                where d.ProjectId == projectId && d.OwnerId == ownerId && d.Status != DeploymentStatus.Deleted
                join r in db.DeploymentRevisions.AsNoTracking() on new { DeploymentId = d.Id, Number = d.CurrentRevision } equals new { r.DeploymentId, r.Number }
                select new { Deployment = d, r.SpecJson })
            .ToListAsync(cancellationToken);
        var ids = rows.Select(r => r.Deployment.Id).ToList();
        var replicas = (await db.Replicas.AsNoTracking()
                .Where(r => ids.Contains(r.DeploymentId) && r.Phase != ReplicaPhase.Stopped)
                .ToListAsync(cancellationToken))
            .ToLookup(r => r.DeploymentId);
        var podHealth = await health.GetAsync([.. replicas.SelectMany(g => g).Select(r => r.Id)], cancellationToken);
        return rows
            .OrderBy(r => r.Deployment.Name, StringComparer.Ordinal)
            .Select(r => new DeploymentView(r.Deployment, project.Name, DeploymentSpecJson.Deserialize(r.SpecJson), Ordered(replicas[r.Deployment.Id])) { Health = podHealth })
            .ToList();
    }

    public async Task<Result<DeploymentView>> GetAsync(Guid ownerId, Guid deploymentId, CancellationToken cancellationToken)
    {
        var deployment = await db.Deployments.AsNoTracking().FirstOrDefaultAsync(d => d.Id == deploymentId && d.OwnerId == ownerId, cancellationToken);
        return deployment is null ? Error.NotFound("Deployment") : await ViewAsync(deployment, cancellationToken);
    }

    public async Task<Result<DeploymentView>> UpdateAsync(Guid ownerId, Guid deploymentId, DeploymentChanges changes, CancellationToken cancellationToken)
    {
        var (deployment, failure) = await FindLiveAsync(ownerId, deploymentId, cancellationToken);
        if (deployment is null)
        {
            return failure!;
        }

        if (changes.IsEmpty)
        {
            return Error.Validation(DeploymentFields.Changes, "Nothing to change: give at least one of image, command, sourceId, port, env, secrets, resources, healthCheck, security, registryAuth.");
        }

        var current = await db.DeploymentRevisions.AsNoTracking()
            .SingleAsync(r => r.DeploymentId == deployment.Id && r.Number == deployment.CurrentRevision, cancellationToken);
        var currentSpec = DeploymentSpecJson.Deserialize(current.SpecJson);

        var env = new Dictionary<string, string>(currentSpec.Env, StringComparer.Ordinal);
        Merge(env, changes.Env);
        var secretValues = new Dictionary<string, string>(secrets.Unprotect(current.SecretsCiphertext), StringComparer.Ordinal);
        Merge(secretValues, changes.Secrets);

        // A command alone overrides the current image's command (the image stays); an image alone starts from its own.
        var image = changes.Image ?? currentSpec.Image;
        var command = changes.Command ?? (changes.Image is null ? currentSpec.Command : null);
        var sourceId = image is null ? changes.SourceId ?? currentSpec.SourceId : changes.SourceId;
        var errors = new FieldErrors();
        var spec = DeploymentValidation.BuildSpec(
            image, command, sourceId, changes.Port ?? currentSpec.Port, env, secretValues,
            changes.Resources, currentSpec.Resources, changes.HealthCheck, currentSpec.HealthCheck, errors) with
        {
            Security = DeploymentValidation.BuildSecurity(changes.Security, currentSpec.Security, errors),
            RegistryAuth = DeploymentValidation.BuildRegistryAuth(changes.RegistryAuth, currentSpec.RegistryAuth, image, secrets, errors),
        };
        DeploymentValidation.ResolveDriver(deployment.Driver, spec, drivers, options.Value, errors);
        if (changes.SourceId is not null)
        {
            await CheckSourceAsync(ownerId, changes.SourceId, errors, cancellationToken);
        }

        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        var (tierName, limits) = await TierOfAsync(ownerId, cancellationToken);
        if (DeploymentValidation.CheckTier(tierName, limits, spec.Resources, deployment.Replicas) is { } overLimit)
        {
            return overLimit;
        }

        var now = clock.GetStoredUtcNow();
        var number = await NextRevisionAsync(deployment.Id, cancellationToken);
        AddRevision(deployment, number, spec, secrets.Protect(secretValues), "update", now);
        deployment.CurrentRevision = number;
        Touch(deployment, now);
        await events.RecordAsync(deployment.Id, "Updated", "update",
            $"Revision {number}: {DescribeChanges(currentSpec, spec)}.", cancellationToken: cancellationToken);
        if (await EnqueueAndSaveAsync(deployment, "update", cancellationToken) is { } conflict)
        {
            return conflict;
        }

        LogChanged(logger, deployment.Id, "update", deployment.Generation);
        return await ViewAsync(deployment, cancellationToken);
    }

    public async Task<Result<DeploymentView>> ScaleAsync(Guid ownerId, Guid deploymentId, int? replicas, CancellationToken cancellationToken)
    {
        if (replicas is null or < 0)
        {
            return Error.Validation(DeploymentFields.Replicas, "Give the number of replicas, 0 or more.");
        }

        var (deployment, failure) = await FindLiveAsync(ownerId, deploymentId, cancellationToken);
        if (deployment is null)
        {
            return failure!;
        }

        var (tierName, limits) = await TierOfAsync(ownerId, cancellationToken);
        if (replicas > limits.MaxReplicas)
        {
            return DeploymentValidation.CheckTier(tierName, limits, new ResourceSpec(0, 0), replicas.Value)!;
        }

        // Scaling up needs the balance to cover the deployment at its new size; scaling down never does.
        if (replicas > deployment.Replicas)
        {
            var current = await db.DeploymentRevisions.AsNoTracking().FirstAsync(r => r.DeploymentId == deployment.Id && r.Number == deployment.CurrentRevision, cancellationToken);
            if (await balance.CheckAsync(ownerId, DeploymentSpecJson.Deserialize(current.SpecJson).Resources, replicas.Value, cancellationToken) is { } unaffordable)
            {
                return unaffordable;
            }
        }

        var previous = deployment.Replicas;
        deployment.Replicas = replicas.Value;
        if (deployment.SuspendedReplicas is not null)
        {
            // Suspended (billing): the guard refused any scale-up, so this is a scale to zero; it holds after the resume too.
            deployment.SuspendedReplicas = replicas.Value;
        }

        Touch(deployment, clock.GetStoredUtcNow());
        await events.RecordAsync(deployment.Id, "Scaled", "scale", $"Replicas {previous} → {replicas}.", cancellationToken: cancellationToken);
        if (await EnqueueAndSaveAsync(deployment, "scale", cancellationToken) is { } conflict)
        {
            return conflict;
        }

        LogChanged(logger, deployment.Id, "scale", deployment.Generation);
        return await ViewAsync(deployment, cancellationToken);
    }

    public async Task<Result<DeploymentView>> RestartAsync(Guid ownerId, Guid deploymentId, CancellationToken cancellationToken)
    {
        var (deployment, failure) = await FindLiveAsync(ownerId, deploymentId, cancellationToken);
        if (deployment is null)
        {
            return failure!;
        }

        var now = clock.GetStoredUtcNow();
        deployment.RestartRequestedAt = now;
        Touch(deployment, now);
        await events.RecordAsync(deployment.Id, "RestartRequested", "restart", "Rolling restart requested: every replica is replaced, one at a time.", cancellationToken: cancellationToken);
        if (await EnqueueAndSaveAsync(deployment, "restart", cancellationToken) is { } conflict)
        {
            return conflict;
        }

        LogChanged(logger, deployment.Id, "restart", deployment.Generation);
        return await ViewAsync(deployment, cancellationToken);
    }

    public async Task<Result<IReadOnlyList<RevisionView>>> ListRevisionsAsync(Guid ownerId, Guid deploymentId, CancellationToken cancellationToken)
    {
        var deployment = await db.Deployments.AsNoTracking().FirstOrDefaultAsync(d => d.Id == deploymentId && d.OwnerId == ownerId, cancellationToken);
        if (deployment is null)
        {
            return Error.NotFound("Deployment");
        }

        var revisions = await db.DeploymentRevisions.AsNoTracking().Where(r => r.DeploymentId == deploymentId).ToListAsync(cancellationToken);
        return revisions
            .OrderByDescending(r => r.Number)
            .Select(r => new RevisionView(r, DeploymentSpecJson.Deserialize(r.SpecJson), r.Number == deployment.CurrentRevision))
            .ToList();
    }

    /// <summary>A new revision copying <paramref name="revision"/>'s configuration and secrets (the one before the current when null).</summary>
    public async Task<Result<DeploymentView>> RollbackAsync(Guid ownerId, Guid deploymentId, int? revision, CancellationToken cancellationToken)
    {
        var (deployment, failure) = await FindLiveAsync(ownerId, deploymentId, cancellationToken);
        if (deployment is null)
        {
            return failure!;
        }

        var targetNumber = revision ?? deployment.CurrentRevision - 1;
        if (targetNumber < 1)
        {
            return Error.Validation(DeploymentFields.Revision, revision is null ? "There is no earlier revision to roll back to." : "Revisions are numbered from 1.");
        }

        if (targetNumber == deployment.CurrentRevision)
        {
            return Error.Validation(DeploymentFields.Revision, $"Revision {targetNumber} is already the current one.");
        }

        var target = await db.DeploymentRevisions.AsNoTracking().FirstOrDefaultAsync(r => r.DeploymentId == deployment.Id && r.Number == targetNumber, cancellationToken);
        if (target is null)
        {
            return Error.Validation(DeploymentFields.Revision, $"This deployment has no revision {targetNumber}.");
        }

        var spec = DeploymentSpecJson.Deserialize(target.SpecJson);
        var (tierName, limits) = await TierOfAsync(ownerId, cancellationToken);
        if (DeploymentValidation.CheckTier(tierName, limits, spec.Resources, deployment.Replicas) is { } overLimit)
        {
            return overLimit;
        }

        var now = clock.GetStoredUtcNow();
        var number = await NextRevisionAsync(deployment.Id, cancellationToken);
        var cause = $"rollback to {targetNumber}";
        db.DeploymentRevisions.Add(new DeploymentRevision
        {
            Id = Guid.CreateVersion7(now),
            DeploymentId = deployment.Id,
            Number = number,
            SpecJson = target.SpecJson,
            SecretsCiphertext = target.SecretsCiphertext is null ? null : [.. target.SecretsCiphertext],
            Cause = cause,
            CreatedAt = now,
        });
        deployment.CurrentRevision = number;
        Touch(deployment, now);
        await events.RecordAsync(deployment.Id, "RollbackRequested", "rollback",
            $"Revision {number} rolls back to revision {targetNumber} ({Describe(spec)}).", cancellationToken: cancellationToken);
        if (await EnqueueAndSaveAsync(deployment, cause, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        LogChanged(logger, deployment.Id, cause, deployment.Generation);
        return await ViewAsync(deployment, cancellationToken);
    }

    /// <summary>Marks it Deleting; the controller destroys its pods and sets Deleted. A second delete changes nothing.</summary>
    public async Task<Result<DeploymentView>> DeleteAsync(Guid ownerId, Guid deploymentId, CancellationToken cancellationToken)
    {
        var deployment = await db.Deployments.FirstOrDefaultAsync(d => d.Id == deploymentId && d.OwnerId == ownerId, cancellationToken);
        if (deployment is null)
        {
            return Error.NotFound("Deployment");
        }

        if (deployment.DeletedAt is not null)
        {
            return await ViewAsync(deployment, cancellationToken);
        }

        var now = clock.GetStoredUtcNow();
        deployment.DeletedAt = now;
        Touch(deployment, now);
        await events.SetStatusAsync(deployment, DeploymentStatus.Deleting, "deletion requested", cancellationToken);
        if (await EnqueueAndSaveAsync(deployment, "delete", cancellationToken) is { } conflict)
        {
            return conflict;
        }

        LogChanged(logger, deployment.Id, "delete", deployment.Generation);
        return await ViewAsync(deployment, cancellationToken);
    }

    /// <summary>Events newest first (also of a deleted deployment, to its owner).</summary>
    public async Task<Result<IReadOnlyList<DeploymentEvent>>> ListEventsAsync(Guid ownerId, Guid deploymentId, int limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxEventsPage)
        {
            return Error.Validation(DeploymentFields.Limit, $"Must be between 1 and {MaxEventsPage}.");
        }

        if (!await db.Deployments.AnyAsync(d => d.Id == deploymentId && d.OwnerId == ownerId, cancellationToken))
        {
            return Error.NotFound("Deployment");
        }

        var list = await db.DeploymentEvents.AsNoTracking()
            .Where(e => e.DeploymentId == deploymentId)
            .OrderByDescending(e => e.LastSeenAt)
            .ThenByDescending(e => e.Id)
            .Take(limit)
            .ToListAsync(cancellationToken);
        return list;
    }

    private async Task<(Deployment? Deployment, Error? Failure)> FindLiveAsync(Guid ownerId, Guid deploymentId, CancellationToken cancellationToken)
    {
        var deployment = await db.Deployments.FirstOrDefaultAsync(d => d.Id == deploymentId && d.OwnerId == ownerId, cancellationToken);
        if (deployment is null)
        {
            return (null, Error.NotFound("Deployment"));
        }

        return deployment.DeletedAt is null
            ? (deployment, null)
            : (null, Error.Conflict(DeploymentErrorCodes.DeploymentDeleted, "This deployment is being deleted or was deleted; create a new one."));
    }

    private async Task<DeploymentView> ViewAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        var projectName = await db.Projects.Where(p => p.Id == deployment.ProjectId).Select(p => p.Name).SingleAsync(cancellationToken);
        var specJson = await db.DeploymentRevisions
            .Where(r => r.DeploymentId == deployment.Id && r.Number == deployment.CurrentRevision)
            .Select(r => r.SpecJson)
            .SingleAsync(cancellationToken);
        var replicas = await db.Replicas.AsNoTracking()
            .Where(r => r.DeploymentId == deployment.Id && r.Phase != ReplicaPhase.Stopped)
            .ToListAsync(cancellationToken);
        return new DeploymentView(deployment, projectName, DeploymentSpecJson.Deserialize(specJson), Ordered(replicas))
        {
            Health = await health.GetAsync([.. replicas.Select(r => r.Id)], cancellationToken),
        };
    }

    private async Task CheckSourceAsync(Guid ownerId, Guid? sourceId, FieldErrors errors, CancellationToken cancellationToken)
    {
        if (sourceId is { } id && !await db.SourceBundles.AnyAsync(s => s.Id == id && s.OwnerId == ownerId, cancellationToken))
        {
            errors.Add(DeploymentFields.SourceId, "No such source bundle of yours; upload one with POST /api/projects/{id}/sources.");
        }
    }

    private Task<(string Name, TierLimits Limits)> TierOfAsync(Guid ownerId, CancellationToken cancellationToken) =>
        OwnerTiers.OfAsync(db, options.Value, ownerId, cancellationToken);

    private async Task<int> NextRevisionAsync(Guid deploymentId, CancellationToken cancellationToken) =>
        (await db.DeploymentRevisions.Where(r => r.DeploymentId == deploymentId).MaxAsync(r => (int?)r.Number, cancellationToken) ?? 0) + 1;

    private DeploymentRevision AddRevision(Deployment deployment, int number, DeploymentSpec spec, byte[]? ciphertext, string cause, DateTimeOffset now)
    {
        var revision = new DeploymentRevision
        {
            Id = Guid.CreateVersion7(now),
            DeploymentId = deployment.Id,
            Number = number,
            SpecJson = DeploymentSpecJson.Serialize(spec),
            SecretsCiphertext = ciphertext,
            Cause = cause,
            CreatedAt = now,
        };
        db.DeploymentRevisions.Add(revision);
        return revision;
    }

    /// <summary>
    /// Enqueues the converge job of the deployment's new generation and saves everything. The job's key holds the
    /// generation, so a concurrent change that took the same generation first is seen here (the key exists) or at the
    /// save (unique violation), and this one is refused with a 409 instead of silently sharing its generation. Two
    /// updates taking the same revision number collide the same way.
    /// </summary>
    private async Task<Error?> EnqueueAndSaveAsync(Deployment deployment, string cause, CancellationToken cancellationToken)
    {
        if (!(await jobs.EnqueueConvergeAsync(deployment, cause, cancellationToken)).Created)
        {
            db.ChangeTracker.Clear();
            return ConcurrentChange();
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateException ex) when (databaseErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            return ConcurrentChange();
        }
    }

    private static Error ConcurrentChange() =>
        Error.Conflict(ErrorCodes.Conflict, "Another change to this deployment was saved at the same time; try again.");

    private static void Touch(Deployment deployment, DateTimeOffset now)
    {
        deployment.Generation++;
        deployment.UpdatedAt = now;
    }

    internal static void Merge(Dictionary<string, string> target, IReadOnlyDictionary<string, string?>? changes)
    {
        foreach (var (key, value) in changes ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else
            {
                target[key] = value;
            }
        }
    }

    private static IReadOnlyList<Replica> Ordered(IEnumerable<Replica> replicas) =>
        [.. replicas.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id)];

    /// <summary>For events: what runs, never env values or secrets.</summary>
    private static string Describe(DeploymentSpec spec) =>
        spec.Image is not null ? $"image {spec.Image}" : $"command {Shorten(string.Join(' ', spec.Command ?? []))}";

    private static string DescribeChanges(DeploymentSpec before, DeploymentSpec after)
    {
        var parts = new List<string>();
        if (before.Image != after.Image || !(before.Command ?? []).SequenceEqual(after.Command ?? []))
        {
            parts.Add(Describe(after));
        }

        if (before.SourceId != after.SourceId)
        {
            parts.Add("source " + (after.SourceId?.ToString() ?? "none"));
        }

        if (before.Port != after.Port)
        {
            parts.Add($"port {after.Port}");
        }

        var envChanged = before.Env.Keys.Union(after.Env.Keys).Where(k => before.Env.GetValueOrDefault(k) != after.Env.GetValueOrDefault(k)).Order(StringComparer.Ordinal).ToList();
        if (envChanged.Count > 0)
        {
            parts.Add("env " + Shorten(string.Join(", ", envChanged)));
        }

        if (!before.SecretKeys.SequenceEqual(after.SecretKeys))
        {
            parts.Add("secret keys " + Shorten(string.Join(", ", after.SecretKeys)));
        }

        if (before.Resources != after.Resources)
        {
            parts.Add($"resources {after.Resources.CpuMillicores}m/{after.Resources.MemoryMb}MiB");
        }

        if (before.HealthCheck != after.HealthCheck)
        {
            parts.Add("health check " + (after.HealthCheck?.Type ?? "default"));
        }

        if (before.Security != after.Security)
        {
            parts.Add("security settings");
        }

        if (before.RegistryAuth?.Server != after.RegistryAuth?.Server || before.RegistryAuth?.Username != after.RegistryAuth?.Username
            || !(before.RegistryAuth?.PasswordCiphertext ?? []).AsSpan().SequenceEqual(after.RegistryAuth?.PasswordCiphertext ?? []))
        {
            // Which registry, never the credentials.
            parts.Add("registry credentials " + (after.RegistryAuth is { } auth ? "for " + auth.Server : "removed"));
        }

        return parts.Count == 0 ? "configuration re-applied (secrets may have changed)" : string.Join("; ", parts);
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..199] + "…";

    private static Error NameTaken(string name) =>
        Error.Conflict(DeploymentErrorCodes.DeploymentNameTaken, $"This project already has a deployment named '{name}'.", DeploymentFields.Name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {DeploymentId} ({Name}) created in project {ProjectId} on driver {Driver}")]
    private static partial void LogCreated(ILogger logger, Guid deploymentId, string name, Guid projectId, string driver);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {DeploymentId}: {Change} requested (generation {Generation})")]
    private static partial void LogChanged(ILogger logger, Guid deploymentId, string change, long generation);
}
