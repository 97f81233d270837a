namespace Poddle.Core.Pools.Scaling;

/// <summary>
/// How a pool scales, independent of how the pool is stored: the engine's whole configuration.
/// Invariants (checked by <see cref="ScalingEngine.Decide"/>): 0 ≤ <paramref name="MinWorkers"/> ≤
/// <paramref name="MaxWorkers"/>, <paramref name="MaxWorkers"/> ≥ 1, no negative duration.
/// </summary>
/// <param name="MinWorkers">Workers kept warm whatever the load (RunPod's active workers).</param>
/// <param name="MaxWorkers">Never more workers than this, counted across servers by the caller.</param>
/// <param name="Scaler">What the pool scales on: queue delay or request count.</param>
/// <param name="IdleTimeout">How long a worker stays idle before it may be drained (RunPod's idle timeout).</param>
/// <param name="ScaleUpWindow">Scale up to the lowest recommendation of this window (HPA; zero: react at once).</param>
/// <param name="ScaleDownWindow">Scale down to the highest recommendation of this window (HPA's default is 300 s).</param>
/// <param name="BudgetPerHour">USD per hour the pool's running pods may cost; at it no worker is started (rule
/// budget-reached, which wins over the minimum), never drained for it. Null: no budget.</param>
public sealed record PoolScalingPolicy(
    int MinWorkers,
    int MaxWorkers,
    PoolScaler Scaler,
    TimeSpan IdleTimeout,
    TimeSpan ScaleUpWindow,
    TimeSpan ScaleDownWindow,
    decimal? BudgetPerHour = null);
