using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;
using Poddle.Core.Pools.Gpus;

namespace Poddle.Core.Pools;

/// <summary>
/// The API side of pools: validates and stores a pool's desired state (worker spec, bounds, scaler knobs). Scoped to
/// the owner: another user's pool is "not found" and its existence is never confirmed. Secret values are encrypted at
/// rest and never returned or logged. The autoscaler (Pools/Scaling, wired separately) reads what is stored here.
/// </summary>
public sealed partial class PoolService(
    PoddleDbContext db,
    SecretProtector secrets,
    PodDriverRegistry drivers,
    IDatabaseErrors databaseErrors,
    IDeploymentBalanceGuard balance,
    IOptions<PoolOptions> options,
    IOptions<DeploymentOptions> deploymentOptions,
    TimeProvider clock,
    ILogger<PoolService> logger)
{
    public async Task<Result<PoolView>> CreateAsync(Guid ownerId, NewPool request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (tierName, limits) = await OwnerTiers.OfAsync(db, deploymentOptions.Value, ownerId, cancellationToken);
        var errors = new FieldErrors();
        PoolValidation.ValidateName(request.Name, errors);
        var secretValues = request.Secrets ?? new Dictionary<string, string>();
        var spec = BuildSpec(request.Image, request.Command, request.SourceId, request.Env ?? new Dictionary<string, string>(), secretValues, request.Resources, null, errors)
            with { Gpu = PoolGpuValidation.Build(request.Gpu, errors), Storage = PoolGpuValidation.Build(request.Storage, errors) };
        var knobs = PoolValidation.BuildKnobs(
            request.MinWorkers, request.MaxWorkers, request.Scaler, request.IdleTimeout, request.ScaleUpWindow, request.ScaleDownWindow,
            request.ExecutionTimeout, request.Ttl, request.MaxRetries, request.BudgetPerHour, null, Math.Min(PoolValidation.DefaultMaxWorkers, limits.MaxReplicas), options.Value, errors);
        var driver = DeploymentValidation.ResolveDriver(request.Driver, spec.ToDeploymentSpec(), drivers, deploymentOptions.Value, errors);
        if (driver is not null)
        {
            PoolGpuValidation.CheckDriver(driver, spec.Gpu, spec.Storage, errors);
        }

        await CheckSourceAsync(ownerId, spec.SourceId, errors, cancellationToken);
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        if (PoolValidation.CheckTier(tierName, limits, spec.Resources, knobs.MaxWorkers) is { } overLimit)
        {
            return overLimit;
        }

        if (await balance.CheckWorkersAsync(ownerId, null, spec.Resources, GuardedWorkers(knobs.MinWorkers), cancellationToken) is { } unaffordable)
        {
            return unaffordable;
        }

        var maxPools = tierName == "admin" ? int.MaxValue : options.Value.MaxPoolsPerOwner;
        if (await db.Pools.CountAsync(p => p.OwnerId == ownerId, cancellationToken) >= maxPools)
        {
            return new Error(ErrorKind.Forbidden, DeploymentErrorCodes.TierLimit, $"At most {maxPools} pools per user; delete one first.",
                Error.One(PoolFields.Pools, $"At most {maxPools} pools per user."));
        }

        if (await db.Pools.AnyAsync(p => p.OwnerId == ownerId && p.Name == request.Name, cancellationToken))
        {
            return NameTaken(request.Name!);
        }

        var now = clock.GetStoredUtcNow();
        var pool = new Pool
        {
            Id = Guid.CreateVersion7(now),
            OwnerId = ownerId,
            Name = request.Name!,
            Driver = driver!.Name,
            SpecJson = PoolWorkerSpec.Serialize(spec),
            SecretsCiphertext = secrets.Protect(secretValues),
            ScalerType = knobs.ScalerType,
            Generation = 1,
            CreatedAt = now,
            UpdatedAt = now,
        };
        knobs.ApplyTo(pool);
        db.Pools.Add(pool);
        if (await SaveAsync(cancellationToken) is { } conflict)
        {
            return conflict.Code == ErrorCodes.Conflict ? NameTaken(request.Name!) : conflict;
        }

        LogCreated(logger, pool.Id, pool.Name, pool.Driver, pool.MinWorkers, pool.MaxWorkers);
        return new PoolView(pool, spec);
    }

    public async Task<IReadOnlyList<PoolView>> ListAsync(Guid ownerId, CancellationToken cancellationToken) =>
        [.. (await db.Pools.AsNoTracking().Where(p => p.OwnerId == ownerId).ToListAsync(cancellationToken))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => new PoolView(p, PoolWorkerSpec.Deserialize(p.SpecJson)))];

    public async Task<Result<PoolView>> GetAsync(Guid ownerId, Guid poolId, CancellationToken cancellationToken)
    {
        var pool = await db.Pools.AsNoTracking().FirstOrDefaultAsync(p => p.Id == poolId && p.OwnerId == ownerId, cancellationToken);
        return pool is null ? Error.NotFound("Pool") : new PoolView(pool, PoolWorkerSpec.Deserialize(pool.SpecJson));
    }

    public async Task<Result<PoolView>> UpdateAsync(Guid ownerId, Guid poolId, PoolChanges changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var pool = await db.Pools.FirstOrDefaultAsync(p => p.Id == poolId && p.OwnerId == ownerId, cancellationToken);
        if (pool is null)
        {
            return Error.NotFound("Pool");
        }

        if (changes.IsEmpty)
        {
            return Error.Validation(PoolFields.Changes, "Nothing to change: give at least one of image, command, sourceId, env, secrets, resources, gpu, storage, minWorkers, maxWorkers, scaler, idleTimeout, scaleUpWindow, scaleDownWindow, executionTimeout, ttl, maxRetries, budgetPerHour.");
        }

        var current = PoolWorkerSpec.Deserialize(pool.SpecJson);
        var env = new Dictionary<string, string>(current.Env, StringComparer.Ordinal);
        DeploymentService.Merge(env, changes.Env);
        var secretValues = new Dictionary<string, string>(secrets.Unprotect(pool.SecretsCiphertext), StringComparer.Ordinal);
        DeploymentService.Merge(secretValues, changes.Secrets);

        // As deployments: a command alone overrides the current image's command; an image alone starts from its own.
        var image = changes.Image ?? current.Image;
        var command = changes.Command ?? (changes.Image is null ? current.Command : null);
        var sourceId = image is null ? changes.SourceId ?? current.SourceId : changes.SourceId;
        var errors = new FieldErrors();
        var spec = BuildSpec(image, command, sourceId, env, secretValues, changes.Resources, current.Resources, errors) with
        {
            Gpu = changes.Gpu is null ? current.Gpu : PoolGpuValidation.Build(changes.Gpu, errors),
            Storage = changes.Storage is null ? current.Storage : PoolGpuValidation.Build(changes.Storage, errors),
        };
        var knobs = PoolValidation.BuildKnobs(
            changes.MinWorkers, changes.MaxWorkers, changes.Scaler, changes.IdleTimeout, changes.ScaleUpWindow, changes.ScaleDownWindow,
            changes.ExecutionTimeout, changes.Ttl, changes.MaxRetries, changes.BudgetPerHour, PoolKnobs.Of(pool), PoolValidation.DefaultMaxWorkers, options.Value, errors);
        if (DeploymentValidation.ResolveDriver(pool.Driver, spec.ToDeploymentSpec(), drivers, deploymentOptions.Value, errors) is { } driver)
        {
            PoolGpuValidation.CheckDriver(driver, spec.Gpu, spec.Storage, errors);
        }
        if (changes.SourceId is not null)
        {
            await CheckSourceAsync(ownerId, changes.SourceId, errors, cancellationToken);
        }

        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        var (tierName, limits) = await OwnerTiers.OfAsync(db, deploymentOptions.Value, ownerId, cancellationToken);
        if (PoolValidation.CheckTier(tierName, limits, spec.Resources, knobs.MaxWorkers) is { } overLimit)
        {
            return overLimit;
        }

        // Scaling up (more warm workers, larger workers) or raising the bound of a suspended owner's pool needs the
        // balance; scaling down never does.
        var scalesUp = GuardedWorkers(knobs.MinWorkers) > GuardedWorkers(pool.MinWorkers) || knobs.MaxWorkers > pool.MaxWorkers
            || spec.Resources.CpuMillicores > current.Resources.CpuMillicores || spec.Resources.MemoryMb > current.Resources.MemoryMb;
        if (scalesUp && await balance.CheckWorkersAsync(ownerId, pool.Id, spec.Resources, GuardedWorkers(knobs.MinWorkers), cancellationToken) is { } unaffordable)
        {
            return unaffordable;
        }

        pool.SpecJson = PoolWorkerSpec.Serialize(spec);
        pool.SecretsCiphertext = secrets.Protect(secretValues);
        knobs.ApplyTo(pool);
        Touch(pool);
        if (await SaveAsync(cancellationToken) is { } conflict)
        {
            return conflict;
        }

        LogChanged(logger, pool.Id, "update", pool.Generation);
        return new PoolView(pool, spec);
    }

    /// <summary>
    /// The workers the balance guard prices a pool at: its minWorkers, at least one. minWorkers always run; workers above
    /// them run only while jobs wait, so pricing maxWorkers would refuse every pool that scales from zero to many, while
    /// a pool from zero still starts one worker at its first job.
    /// </summary>
    internal static int GuardedWorkers(int minWorkers) => Math.Max(minWorkers, 1);

    /// <summary>Sets the bounds (either or both); the same rules as at creation, the tier included.</summary>
    public async Task<Result<PoolView>> ScaleAsync(Guid ownerId, Guid poolId, int? minWorkers, int? maxWorkers, CancellationToken cancellationToken)
    {
        if (minWorkers is null && maxWorkers is null)
        {
            return Error.Validation(PoolFields.MaxWorkers, "Give minWorkers, maxWorkers or both.");
        }

        return await UpdateAsync(ownerId, poolId, new PoolChanges(MinWorkers: minWorkers, MaxWorkers: maxWorkers), cancellationToken);
    }

    /// <summary>Deletes the pool with its jobs and worker keys (the keys stop working at once).</summary>
    public async Task<Result<bool>> DeleteAsync(Guid ownerId, Guid poolId, CancellationToken cancellationToken)
    {
        // The worker rows go by cascade, past SaveChanges, so their open runs (billing) are closed here, in the same transaction.
        var now = clock.GetStoredUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var deleted = await db.Pools.Where(p => p.Id == poolId && p.OwnerId == ownerId).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
        {
            return Error.NotFound("Pool");
        }

        await db.Set<Runtime.PoolWorkerRun>().Where(r => r.PoolId == poolId && r.StoppedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.StoppedAt, now), cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        LogChanged(logger, poolId, "delete", 0);
        return true;
    }

    private static PoolWorkerSpec BuildSpec(
        string? image, IReadOnlyList<string>? command, Guid? sourceId, IReadOnlyDictionary<string, string> env, IReadOnlyDictionary<string, string> secretValues,
        ResourcesInput? resources, ResourceSpec? currentResources, FieldErrors errors) =>
        PoolWorkerSpec.From(DeploymentValidation.BuildSpec(image, command, sourceId, null, env, secretValues, resources, currentResources, null, null, errors));

    private async Task CheckSourceAsync(Guid ownerId, Guid? sourceId, FieldErrors errors, CancellationToken cancellationToken)
    {
        if (sourceId is { } id && !await db.SourceBundles.AnyAsync(s => s.Id == id && s.OwnerId == ownerId, cancellationToken))
        {
            errors.Add(PoolFields.SourceId, "No such source bundle of yours; upload one with POST /api/projects/{id}/sources.");
        }
    }

    private void Touch(Pool pool)
    {
        pool.UpdatedAt = clock.GetStoredUtcNow();
        pool.Generation++;
    }

    private async Task<Error?> SaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return Error.Conflict(ErrorCodes.Conflict, "The pool changed at the same time; read it again and retry.");
        }
        catch (DbUpdateException ex) when (databaseErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            return Error.Conflict(ErrorCodes.Conflict, "The pool changed at the same time; read it again and retry.");
        }
    }

    private static Error NameTaken(string name) =>
        Error.Conflict(PoolErrorCodes.NameTaken, $"You already have a pool named '{name}'; choose another name or update that one.", PoolFields.Name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pool {PoolId} '{Name}' created on {Driver} with {MinWorkers}-{MaxWorkers} workers")]
    private static partial void LogCreated(ILogger logger, Guid poolId, string name, string driver, int minWorkers, int maxWorkers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pool {PoolId}: {Change} (generation {Generation})")]
    private static partial void LogChanged(ILogger logger, Guid poolId, string change, long generation);
}
