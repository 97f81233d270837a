using Poddle.Core.Deployments;
using Poddle.Core.Pools.Gpus;

namespace Poddle.Core.Pools;

/// <summary>
/// What a caller asks for when creating a pool (unvalidated; every field optional except the name). The worker spec's
/// fields are named as <see cref="NewDeployment"/>'s, so the rules deployments share name them the same way.
/// Durations are whole seconds.
/// </summary>
public sealed record NewPool(
    string? Name,
    string? Image = null,
    IReadOnlyList<string>? Command = null,
    Guid? SourceId = null,
    IReadOnlyDictionary<string, string>? Env = null,
    IReadOnlyDictionary<string, string>? Secrets = null,
    ResourcesInput? Resources = null,
    string? Driver = null,
    int? MinWorkers = null,
    int? MaxWorkers = null,
    PoolScalerInput? Scaler = null,
    int? IdleTimeout = null,
    int? ScaleUpWindow = null,
    int? ScaleDownWindow = null,
    int? ExecutionTimeout = null,
    int? Ttl = null,
    int? MaxRetries = null,
    PoolGpuInput? Gpu = null,
    PoolStorageInput? Storage = null,
    decimal? BudgetPerHour = null);

/// <summary>
/// An update: any field given replaces the current one; <see cref="Env"/> and <see cref="Secrets"/> are merged, a key
/// with a null value is removed (as deployments' updates). The driver and the name stay. <see cref="Gpu"/> and
/// <see cref="Storage"/> replace the current ones whole.
/// </summary>
public sealed record PoolChanges(
    string? Image = null,
    IReadOnlyList<string>? Command = null,
    Guid? SourceId = null,
    IReadOnlyDictionary<string, string?>? Env = null,
    IReadOnlyDictionary<string, string?>? Secrets = null,
    ResourcesInput? Resources = null,
    int? MinWorkers = null,
    int? MaxWorkers = null,
    PoolScalerInput? Scaler = null,
    int? IdleTimeout = null,
    int? ScaleUpWindow = null,
    int? ScaleDownWindow = null,
    int? ExecutionTimeout = null,
    int? Ttl = null,
    int? MaxRetries = null,
    PoolGpuInput? Gpu = null,
    PoolStorageInput? Storage = null,
    decimal? BudgetPerHour = null)
{
    /// <summary>True when nothing would change.</summary>
    public bool IsEmpty => Image is null && Command is null && SourceId is null && Env is null && Secrets is null && Resources is null
        && MinWorkers is null && MaxWorkers is null && Scaler is null && IdleTimeout is null && ScaleUpWindow is null && ScaleDownWindow is null
        && ExecutionTimeout is null && Ttl is null && MaxRetries is null && Gpu is null && Storage is null && BudgetPerHour is null;

    /// <summary>True when the worker spec (what a worker runs) changes, not only the pool's knobs.</summary>
    public bool ChangesWorkers => Image is not null || Command is not null || SourceId is not null || Env is not null || Secrets is not null || Resources is not null
        || Gpu is not null || Storage is not null;
}

/// <summary>A scaler as asked for: <see cref="PoolScalerTypes"/> and its value (seconds of queue delay, or jobs per worker).</summary>
public sealed record PoolScalerInput(string? Type = null, int? Value = null);

/// <summary>A pool with its worker spec (secret keys, never values).</summary>
public sealed record PoolView(Pool Pool, PoolWorkerSpec Spec);
