namespace Poddle.Core.Deployments;

/// <summary>
/// A pod's health statuses as the API shows them (<see cref="PodHealth.Status"/>): the agent's report status, or
/// <see cref="Lost"/> and <see cref="Unknown"/> decided by the server. Wire values: they equal Poddle.Contracts'
/// <c>HealthStatuses</c> value for value (Core does not reference Contracts; a Server test holds them together).
/// </summary>
public static class PodHealthStatuses
{
    public const string Healthy = "healthy";
    public const string Degraded = "degraded";
    public const string Critical = "critical";

    /// <summary>The pod's agent reported once, then its heartbeats stopped.</summary>
    public const string Lost = "lost";

    /// <summary>No agent has reported for this pod (a deployment need not run the agent).</summary>
    public const string Unknown = "unknown";
}
