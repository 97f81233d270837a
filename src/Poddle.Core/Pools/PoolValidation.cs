using Poddle.Core.Common;
using Poddle.Core.Deployments;

namespace Poddle.Core.Pools;

/// <summary>
/// The rules of a pool's own knobs (docs/pools.md, "Pools"). The worker spec's rules are deployments'
/// (<see cref="DeploymentValidation"/>): the same fields, the same messages. Messages name the field and the limit.
/// </summary>
public static class PoolValidation
{
    public const int DefaultMaxWorkers = 3;
    public const int DefaultQueueDelaySeconds = 4;
    public const int DefaultIdleTimeoutSeconds = 5;
    public const int DefaultScaleUpWindowSeconds = 0;
    public const int DefaultScaleDownWindowSeconds = 60;
    public const int DefaultExecutionTimeoutSeconds = 600;
    public const int DefaultTtlSeconds = 24 * 3600;
    public const int DefaultMaxRetries = 3;
    public const int MaxScalerSeconds = 3600;
    public const int MaxJobsPerWorker = 1000;
    public const int MaxIdleTimeoutSeconds = 24 * 3600;
    public const int MaxWindowSeconds = 3600;
    public const int MaxRetriesLimit = 10;
    public const int MinTtlSeconds = 10;

    /// <summary>The largest budget per hour a pool may set, USD.</summary>
    public const decimal MaxBudgetPerHour = 1_000_000m;

    /// <summary>A pool's name is a DNS label (it labels its workers' pods).</summary>
    public static void ValidateName(string? name, FieldErrors errors)
    {
        if (!Validators.IsDnsLabel(name))
        {
            errors.Add(PoolFields.Name, "Must be a DNS label: 1-63 lower-case letters, digits or '-', not starting or ending with '-'.");
        }
    }

    /// <summary>
    /// The knobs of a new pool (<paramref name="current"/> null) or of an update (a missing value keeps the current one):
    /// 0 ≤ min ≤ max, max ≥ 1, each duration in its range. A new pool's max defaults to <paramref name="defaultMaxWorkers"/> (RunPod's 3, or the tier's bound when lower). The tier's bound on max is checked after (<see cref="CheckTier"/>).
    /// </summary>
    internal static PoolKnobs BuildKnobs(
        int? minWorkers, int? maxWorkers, PoolScalerInput? scaler, int? idleTimeout, int? scaleUpWindow, int? scaleDownWindow,
        int? executionTimeout, int? ttl, int? maxRetries, decimal? budgetPerHour, PoolKnobs? current, int defaultMaxWorkers, PoolOptions options, FieldErrors errors)
    {
        var min = minWorkers ?? current?.MinWorkers ?? 0;
        var max = maxWorkers ?? current?.MaxWorkers ?? Math.Max(defaultMaxWorkers, min);
        if (min < 0)
        {
            errors.Add(PoolFields.MinWorkers, "Must be 0 or more.");
        }

        if (max < 1)
        {
            errors.Add(PoolFields.MaxWorkers, "Must be at least 1.");
        }
        else if (min > max)
        {
            errors.Add(maxWorkers is not null || minWorkers is null ? PoolFields.MaxWorkers : PoolFields.MinWorkers, $"minWorkers ({min}) must not be above maxWorkers ({max}).");
        }

        var type = scaler?.Type ?? current?.ScalerType ?? PoolScalerTypes.QueueDelay;
        var value = scaler?.Value ?? (scaler?.Type is null || scaler.Type == current?.ScalerType ? current?.ScalerValue : null)
            ?? (type == PoolScalerTypes.RequestCount ? 1 : DefaultQueueDelaySeconds);
        if (!PoolScalerTypes.All.Contains(type, StringComparer.Ordinal))
        {
            errors.Add(PoolFields.ScalerType, $"Must be '{PoolScalerTypes.QueueDelay}' (seconds a job may wait) or '{PoolScalerTypes.RequestCount}' (jobs per worker).");
        }
        else if (type == PoolScalerTypes.QueueDelay ? value is < 1 or > MaxScalerSeconds : value is < 1 or > MaxJobsPerWorker)
        {
            errors.Add(PoolFields.ScalerValue, type == PoolScalerTypes.QueueDelay
                ? $"Seconds a job may wait: between 1 and {MaxScalerSeconds}."
                : $"Jobs per worker: between 1 and {MaxJobsPerWorker}.");
        }

        var budget = budgetPerHour ?? current?.BudgetPerHour;
        if (budget is < 0 or > MaxBudgetPerHour)
        {
            errors.Add(PoolFields.BudgetPerHour, $"USD per hour: between 0 and {MaxBudgetPerHour:0}.");
        }

        var maxExecution = (int)options.MaxExecutionTimeout.TotalSeconds;
        var maxTtl = (int)options.MaxTtl.TotalSeconds;
        return new PoolKnobs(
            min,
            max,
            type,
            value,
            Range(idleTimeout, current?.IdleTimeoutSeconds ?? DefaultIdleTimeoutSeconds, 1, MaxIdleTimeoutSeconds, PoolFields.IdleTimeout, errors),
            Range(scaleUpWindow, current?.ScaleUpWindowSeconds ?? DefaultScaleUpWindowSeconds, 0, MaxWindowSeconds, PoolFields.ScaleUpWindow, errors),
            Range(scaleDownWindow, current?.ScaleDownWindowSeconds ?? DefaultScaleDownWindowSeconds, 0, MaxWindowSeconds, PoolFields.ScaleDownWindow, errors),
            Range(executionTimeout, current?.ExecutionTimeoutSeconds ?? Math.Min(DefaultExecutionTimeoutSeconds, maxExecution), 1, maxExecution, PoolFields.ExecutionTimeout, errors),
            Range(ttl, current?.TtlSeconds ?? Math.Min(DefaultTtlSeconds, maxTtl), MinTtlSeconds, maxTtl, PoolFields.Ttl, errors),
            Range(maxRetries, current?.MaxRetries ?? DefaultMaxRetries, 0, MaxRetriesLimit, PoolFields.MaxRetries, errors),
            budget);
    }

    /// <summary>Refuses more workers or bigger workers than the tier allows (403 tier-limit naming the field and the limit).</summary>
    internal static Error? CheckTier(string tierName, TierLimits limits, ResourceSpec resources, int maxWorkers)
    {
        if (maxWorkers > limits.MaxReplicas)
        {
            var message = $"The {tierName} tier allows at most {limits.MaxReplicas} workers per pool.";
            return new Error(ErrorKind.Forbidden, DeploymentErrorCodes.TierLimit, $"Over the limits of the {tierName} tier: {message}", Error.One(PoolFields.MaxWorkers, message));
        }

        // Per-worker CPU and memory follow deployments' per-replica limits, with the same fields.
        return DeploymentValidation.CheckTier(tierName, limits, resources, replicas: 0);
    }

    private static int Range(int? value, int fallback, int min, int max, FieldPath field, FieldErrors errors)
    {
        var actual = value ?? fallback;
        if (actual < min || actual > max)
        {
            errors.Add(field, $"Must be between {min} and {max} (seconds, except maxRetries).");
        }

        return actual;
    }
}
