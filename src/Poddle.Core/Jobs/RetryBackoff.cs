namespace Poddle.Core.Jobs;

/// <summary>Exponential back-off with "equal jitter": half the delay is fixed, half random, so retries of jobs that failed together spread out.</summary>
public static class RetryBackoff
{
    /// <summary>
    /// The wait before the retry that follows failed attempt <paramref name="attempt"/> (1-based):
    /// d = min(max, base · 2^(attempt-1)), then a value in [d/2, d] chosen by <paramref name="random01"/> ∈ [0, 1).
    /// </summary>
    public static TimeSpan Delay(int attempt, TimeSpan baseDelay, TimeSpan maxDelay, double random01)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var ticks = Math.Min(maxDelay.Ticks, baseDelay.Ticks * Math.Pow(2, exponent));
        return TimeSpan.FromTicks((long)((ticks / 2) + (ticks / 2 * random01)));
    }
}
