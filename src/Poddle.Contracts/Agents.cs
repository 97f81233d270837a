namespace Poddle.Contracts;

// The pod agent's health report (written to /tmp/health-report.json by `poddle agent`, printed by
// `poddle agent check`, and sent to the server in heartbeats) and the server's view of a pod's health.

/// <summary>One round of the agent's health checks, written atomically as JSON.</summary>
/// <param name="Status">Overall: "healthy", "degraded" or "critical" (the worst of the checks; skipped ones do not count).</param>
/// <param name="PodId">RUNPOD_POD_ID, the Kubernetes pod name, the container id or the host name.</param>
/// <param name="Environment">"runpod", "kubernetes", "docker" or "linux".</param>
/// <param name="App">The supervised app; null for `poddle agent check` without an app.</param>
public sealed record AgentHealthReport(
    string Status,
    DateTimeOffset Timestamp,
    string? PodId,
    string Environment,
    string Hostname,
    IReadOnlyList<AgentCheckResult> Checks,
    AgentAppState? App = null);

/// <summary>One check of a round.</summary>
/// <param name="Name">"app", "cpu", "memory", "disk", "gpu0.utilization", "gpu0.memory", "gpu0.temperature", "gpu0.power" ...</param>
/// <param name="Status">"healthy", "degraded", "critical" or "skipped" (with the reason in Message).</param>
/// <param name="Value">The measured value (percent, °C, W, ms ...); null when skipped.</param>
/// <param name="Threshold">The value at or above which the check is not healthy; null when none applies.</param>
/// <param name="Unit">"%", "C", "W", "ms" ...</param>
public sealed record AgentCheckResult(
    string Name,
    string Status,
    double? Value,
    double? Threshold,
    string? Unit,
    string? Message);

/// <summary>The app the agent supervises.</summary>
/// <param name="State">"starting", "running", "backoff", "stopped" or "exited".</param>
public sealed record AgentAppState(string State, int? Pid, int Restarts, int? LastExitCode, DateTimeOffset? StartedAt);

/// <summary>
/// POST /api/agents/heartbeat, authenticated by the pod's agent token (PODDLE_AGENT_TOKEN) only: the token names the
/// pod, so a heartbeat cannot speak for another pod.
/// </summary>
public sealed record AgentHeartbeatRequest(string? AgentVersion, AgentHealthReport? Report);

/// <summary>The server's answer to a heartbeat.</summary>
/// <param name="IntervalSeconds">When the server expects the next one.</param>
public sealed record AgentHeartbeatResponse(int IntervalSeconds);

/// <summary>A pod's health as the server knows it from its agent.</summary>
/// <param name="Status">"healthy", "degraded", "critical", "lost" (heartbeats stopped) or "unknown" (no agent has reported).</param>
public sealed record PodHealthResponse(string Status, DateTimeOffset? LastHeartbeatAt, AgentHealthReport? Report);
