namespace Poddle.Core.Pools.Scaling;

/// <summary>
/// When a worker counts as lost: silent (no ping, no poll, no result) for <see cref="MissedPings"/> ping intervals.
/// A lost worker is to be replaced and its job re-queued; the caller moves it to <see cref="WorkerState.Failed"/>
/// with <see cref="WorkerTransitionReasons.Silent"/>.
/// </summary>
public static class WorkerLiveness
{
    /// <summary>How many ping intervals a worker may miss before it is lost.</summary>
    public const int MissedPings = 3;

    /// <summary>The moment a worker last heard from at <paramref name="lastHeard"/> becomes lost.</summary>
    public static DateTimeOffset LostAt(DateTimeOffset lastHeard, TimeSpan pingInterval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pingInterval, TimeSpan.Zero);
        return lastHeard + (pingInterval * MissedPings);
    }

    /// <summary>Whether a worker last heard from at <paramref name="lastHeard"/> is lost by the clock's now.</summary>
    public static bool IsLost(DateTimeOffset lastHeard, TimeSpan pingInterval, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return time.GetUtcNow() >= LostAt(lastHeard, pingInterval);
    }
}
