namespace Poddle.Core.Pools.Scaling;

/// <summary>The reasons the pool gives for its own worker transitions (wire values, kebab-case).</summary>
public static class WorkerTransitionReasons
{
    public const string PodStarted = "pod-started";
    public const string FirstPoll = "first-poll";
    public const string JobTaken = "job-taken";
    public const string JobFinished = "job-finished";
    public const string ScaledDown = "scaled-down";
    public const string StopRequested = "stop-requested";
    public const string Stopped = "stopped";
    public const string StartFailed = "start-failed";

    /// <summary>The worker could not start: the provider had no machine at any of the pool's GPU and cloud types.</summary>
    public const string NoCapacity = "no-capacity";
    public const string Exited = "exited";
    public const string Silent = "silent";
}
