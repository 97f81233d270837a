namespace Poddle.Core.Deployments;

/// <summary>Fixed controller timings (Kubernetes' defaults where Kubernetes has one).</summary>
public static class ControllerTimings
{
    /// <summary>First crash-restart back-off; doubles per consecutive crash.</summary>
    public static readonly TimeSpan CrashBackoffBase = TimeSpan.FromSeconds(10);

    /// <summary>Longest crash-restart back-off.</summary>
    public static readonly TimeSpan CrashBackoffMax = TimeSpan.FromMinutes(5);

    /// <summary>A replica ready this long has its crash streak reset.</summary>
    public static readonly TimeSpan CrashStreakReset = TimeSpan.FromMinutes(10);

    /// <summary>At most one user notification per deployment in this window.</summary>
    public static readonly TimeSpan NotificationThrottle = TimeSpan.FromMinutes(5);

    /// <summary>How often the health monitor looks at every replica (probes follow their own period).</summary>
    public static readonly TimeSpan MonitorTick = TimeSpan.FromSeconds(1);

    /// <summary>Between two converge steps while a rollout waits for readiness.</summary>
    public static readonly TimeSpan ConvergeStep = TimeSpan.FromSeconds(1);

    /// <summary>The back-off after crash number <paramref name="streak"/> (1-based): 10 s, 20 s, 40 s … 5 min.</summary>
    public static TimeSpan CrashBackoff(int streak)
    {
        var exponent = Math.Clamp(streak - 1, 0, 20);
        var ticks = Math.Min(CrashBackoffMax.Ticks, CrashBackoffBase.Ticks * (1L << exponent));
        return TimeSpan.FromTicks(ticks);
    }
}
