namespace Poddle.Core.Agents;

/// <summary>
/// The agent of a replica's current pod: the hash of the token the pod got in PODDLE_AGENT_TOKEN, and what its last
/// heartbeat said. One row per replica, replaced whenever the replica gets a new pod (a new token, no heartbeat yet).
/// Kept apart from <see cref="Deployments.Replica"/> so a heartbeat every 30 s per pod never contends with the
/// controller's writes to replica rows.
/// </summary>
public sealed class ReplicaAgent
{
    /// <summary>The replica (primary key; the row goes with it).</summary>
    public Guid ReplicaId { get; init; }

    /// <summary>Lower-case hex SHA-256 of the agent token; the token itself is never stored.</summary>
    public required string TokenHash { get; set; }

    /// <summary>When the current token was issued (the pod was started).</summary>
    public DateTimeOffset IssuedAt { get; set; }

    /// <summary>The last accepted heartbeat; null while the pod's agent has not reported ("unknown").</summary>
    public DateTimeOffset? LastHeartbeatAt { get; set; }

    /// <summary>The last report's overall status: "healthy", "degraded" or "critical".</summary>
    public string? ReportStatus { get; set; }

    /// <summary>The last report, validated and re-serialised (bounded by the heartbeat's limits).</summary>
    public string? ReportJson { get; set; }

    /// <summary>The agent's version as it said in its last heartbeat.</summary>
    public string? AgentVersion { get; set; }

    /// <summary>Heartbeats accepted for the current token.</summary>
    public long Heartbeats { get; set; }

    /// <summary>Set by <see cref="AgentLostMonitor"/> when heartbeats stopped; cleared by the next heartbeat.</summary>
    public DateTimeOffset? LostAt { get; set; }
}
