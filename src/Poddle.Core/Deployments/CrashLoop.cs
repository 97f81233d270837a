namespace Poddle.Core.Deployments;

/// <summary>
/// When a replica is <em>crash-looping</em> (docs/deployments.md, "Health and restarts"): it is not ready and its crash
/// streak — the count behind the restart back-off (<see cref="ControllerTimings.CrashBackoff"/>): every exit of its pod
/// and every failed restart, reset only after <see cref="ControllerTimings.CrashStreakReset"/> ready — has reached
/// <see cref="Threshold"/>. One exit may be a fluke (a dependency not up yet); a second exit with no ten ready minutes in
/// between means the back-off will only keep growing. The API shows it as <c>crashLooping</c> on each replica, and
/// `poddle deploy` stops waiting as soon as a replica of the revision it deploys is crash-looping.
/// </summary>
public static class CrashLoop
{
    /// <summary>Crashes in a row that make a crash loop.</summary>
    public const int Threshold = 2;

    public static bool IsCrashLooping(Replica replica)
    {
        ArgumentNullException.ThrowIfNull(replica);
        return !replica.Ready
            && (replica.Phase is ReplicaPhase.Crashed or ReplicaPhase.Running or ReplicaPhase.Starting)
            && replica.CrashStreak >= Threshold;
    }
}
