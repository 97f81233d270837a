namespace Poddle.Core.Pools;

/// <summary>
/// A worker pool (docs/pools.md): a worker spec plus the bounds and knobs the autoscaler keeps its workers within, and
/// the queue of serverless jobs its workers take (<see cref="PoolJob"/>). Owned by one user; another user's pool is
/// "not found". Every change of desired state bumps <see cref="Generation"/> so the scaler can tell a new decision is due.
/// </summary>
/// <remarks>Invariants (checked by <see cref="PoolValidation"/>): 0 ≤ <see cref="MinWorkers"/> ≤ <see cref="MaxWorkers"/>, 1 ≤ <see cref="MaxWorkers"/> ≤ the owner's tier.</remarks>
public sealed class Pool
{
    public Guid Id { get; init; }

    public Guid OwnerId { get; init; }

    /// <summary>A DNS label unique among the owner's pools.</summary>
    public required string Name { get; init; }

    /// <summary>The pod driver that runs its workers ("sandbox", "docker").</summary>
    public required string Driver { get; init; }

    /// <summary>The <see cref="PoolWorkerSpec"/> as JSON: no secret values, only their keys.</summary>
    public required string SpecJson { get; set; }

    /// <summary>The secrets (a JSON object of key → value) encrypted at rest like deployments'; null when none.</summary>
    public byte[]? SecretsCiphertext { get; set; }

    /// <summary>Workers kept warm even with an empty queue.</summary>
    public int MinWorkers { get; set; }

    /// <summary>Never more workers than this.</summary>
    public int MaxWorkers { get; set; }

    /// <summary><see cref="PoolScalerTypes.QueueDelay"/> or <see cref="PoolScalerTypes.RequestCount"/>.</summary>
    public required string ScalerType { get; set; }

    /// <summary>Seconds a job may wait (queueDelay) or jobs per worker (requestCount).</summary>
    public int ScalerValue { get; set; }

    /// <summary>Seconds an idle worker above <see cref="MinWorkers"/> is kept before it is stopped.</summary>
    public int IdleTimeoutSeconds { get; set; }

    /// <summary>Stabilization window of scale-ups, seconds (the HPA's and KEDA's meaning: the lowest recommendation in the window wins).</summary>
    public int ScaleUpWindowSeconds { get; set; }

    /// <summary>Stabilization window of scale-downs, seconds (the highest recommendation in the window wins).</summary>
    public int ScaleDownWindowSeconds { get; set; }

    /// <summary>Default limit of one job's run, seconds; a job's policy may ask for another.</summary>
    public int ExecutionTimeoutSeconds { get; set; }

    /// <summary>Default time a job is kept from its submission, seconds (RunPod's ttl); a job's policy may ask for another.</summary>
    public int TtlSeconds { get; set; }

    /// <summary>How many times a job whose worker was lost goes back to the queue before it fails.</summary>
    public int MaxRetries { get; set; }

    /// <summary>
    /// USD per hour the pool's running pods may cost (their providers' cost per hour): at it, the controller starts no
    /// more workers (rule budget-reached) and raises a warning alert; null for no budget.
    /// </summary>
    public decimal? BudgetPerHour { get; set; }

    /// <summary>
    /// Set while the owner is suspended (billing: balance below zero past the grace): the controller keeps the pool at
    /// zero workers whatever its bounds and queue; cleared when the owner is resumed.
    /// </summary>
    public DateTimeOffset? SuspendedAt { get; set; }

    /// <summary>Bumped on every change of desired state (update, scale).</summary>
    public long Generation { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }
}
