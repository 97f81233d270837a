namespace Poddle.Core.Pools.Scaling;

/// <summary>The rule that set a <see cref="ScalingDecision"/> (stable kebab-case wire values, shown in events and
/// <c>poddle pools get</c>).</summary>
public static class ScalingRules
{
    /// <summary>Queue delay: a queued job with no worker coming for it gets one.</summary>
    public const string QueueDelayFirstWorker = "queue-delay-first-worker";

    /// <summary>Queue delay: the workers that drain the queue within the target, from the mean job duration.</summary>
    public const string QueueDelayForecast = "queue-delay-forecast";

    /// <summary>Queue delay: the oldest job waited past the target; one worker per queued job.</summary>
    public const string QueueDelayExceeded = "queue-delay-exceeded";

    /// <summary>Request count: ceil((queued + in progress) / jobs per worker).</summary>
    public const string RequestCount = "request-count";

    /// <summary>Nothing queued: the busy workers are enough.</summary>
    public const string QueueEmpty = "queue-empty";

    /// <summary>Raised to the pool's minimum (kept warm).</summary>
    public const string MinWorkers = "min-workers";

    /// <summary>Capped at the pool's maximum.</summary>
    public const string MaxWorkers = "max-workers";

    /// <summary>A higher recommendation is held back by the scale-up window.</summary>
    public const string ScaleUpWindow = "scale-up-window";

    /// <summary>A lower recommendation is held back by the scale-down window.</summary>
    public const string ScaleDownWindow = "scale-down-window";

    /// <summary>More workers are wanted, but the pool's running pods already cost its budget per hour (or one more would pass it).</summary>
    public const string BudgetReached = "budget-reached";

    /// <summary>Fewer workers are wanted, but none has been idle for the idle timeout yet (busy ones are never drained).</summary>
    public const string IdleTimeout = "idle-timeout";
}
