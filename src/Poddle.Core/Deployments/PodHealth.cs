namespace Poddle.Core.Deployments;

/// <summary>A pod's health as its agent last reported it.</summary>
/// <param name="Status">One of <see cref="PodHealthStatuses"/>: the agent's report status, lost or unknown (no agent has reported for this pod).</param>
/// <param name="LastHeartbeatAt">When the current pod's agent last reported; null when it never did.</param>
/// <param name="ReportJson">The last report as stored (the API's AgentHealthReport shape); null when none.</param>
public sealed record PodHealth(string Status, DateTimeOffset? LastHeartbeatAt, string? ReportJson)
{
    /// <summary>No agent has reported for the replica's current pod.</summary>
    public static PodHealth Unknown { get; } = new(PodHealthStatuses.Unknown, null, null);
}
