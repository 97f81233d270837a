namespace Poddle.Contracts;

/// <summary>
/// The health statuses on the wire: a check's and a report's status (<see cref="AgentCheckResult.Status"/>,
/// <see cref="AgentHealthReport.Status"/>) as the pod agent writes them, and a pod's health as the server knows it
/// (<see cref="PodHealthResponse.Status"/>), which adds <see cref="Lost"/> and <see cref="Unknown"/>. The agent, the
/// server and the CLI all compare with these values.
/// </summary>
public static class HealthStatuses
{
    public const string Healthy = "healthy";
    public const string Degraded = "degraded";
    public const string Critical = "critical";

    /// <summary>A check that did not run (the reason is in its message); it does not count towards the report's status.</summary>
    public const string Skipped = "skipped";

    /// <summary>Server side: the pod's agent reported once, then its heartbeats stopped.</summary>
    public const string Lost = "lost";

    /// <summary>Server side: no agent has reported for this pod (a deployment need not run the agent).</summary>
    public const string Unknown = "unknown";
}
