namespace Poddle.Core.Pools;

/// <summary>A pool's validated knobs (durations in seconds).</summary>
internal sealed record PoolKnobs(
    int MinWorkers, int MaxWorkers, string ScalerType, int ScalerValue, int IdleTimeoutSeconds, int ScaleUpWindowSeconds,
    int ScaleDownWindowSeconds, int ExecutionTimeoutSeconds, int TtlSeconds, int MaxRetries, decimal? BudgetPerHour)
{
    public static PoolKnobs Of(Pool pool) => new(
        pool.MinWorkers, pool.MaxWorkers, pool.ScalerType, pool.ScalerValue, pool.IdleTimeoutSeconds, pool.ScaleUpWindowSeconds,
        pool.ScaleDownWindowSeconds, pool.ExecutionTimeoutSeconds, pool.TtlSeconds, pool.MaxRetries, pool.BudgetPerHour);

    public void ApplyTo(Pool pool)
    {
        pool.MinWorkers = MinWorkers;
        pool.MaxWorkers = MaxWorkers;
        pool.ScalerType = ScalerType;
        pool.ScalerValue = ScalerValue;
        pool.IdleTimeoutSeconds = IdleTimeoutSeconds;
        pool.ScaleUpWindowSeconds = ScaleUpWindowSeconds;
        pool.ScaleDownWindowSeconds = ScaleDownWindowSeconds;
        pool.ExecutionTimeoutSeconds = ExecutionTimeoutSeconds;
        pool.TtlSeconds = TtlSeconds;
        pool.MaxRetries = MaxRetries;
        pool.BudgetPerHour = BudgetPerHour;
    }
}
