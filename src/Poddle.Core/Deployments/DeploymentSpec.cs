namespace Poddle.Core.Deployments;

/// <summary>
/// A revision's configuration, validated and immutable: what to run, where it listens, with which env and limits, and
/// how its health is checked. Secret values are not here (see <see cref="DeploymentRevision.SecretsCiphertext"/>);
/// <see cref="SecretKeys"/> names them.
/// </summary>
public sealed record DeploymentSpec(
    string? Image,
    IReadOnlyList<string>? Command,
    Guid? SourceId,
    int? Port,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyList<string> SecretKeys,
    ResourceSpec Resources,
    HealthCheckSpec? HealthCheck);

/// <summary>Per-replica CPU (millicores) and memory (MiB).</summary>
public sealed record ResourceSpec(int CpuMillicores, int MemoryMb);

/// <summary>How a replica's health is checked (Kubernetes semantics: the same probe gates readiness and drives liveness restarts).</summary>
/// <param name="Type">"http", "tcp", "command", or <see cref="NoProbe"/>.</param>
/// <param name="Path">HTTP path (http only), e.g. "/healthz".</param>
/// <param name="Port">Port to probe; the deployment's port when null.</param>
/// <param name="Command">Command run in the pod (command only).</param>
/// <param name="PeriodSeconds">Between probes (default 10).</param>
/// <param name="TimeoutSeconds">A probe slower than this failed (default 1).</param>
/// <param name="FailureThreshold">Consecutive failures that mark it not ready and restart it (default 3).</param>
/// <param name="InitialDelaySeconds">No probe before this long after start (default 0).</param>
public sealed record HealthCheckSpec(
    string Type,
    string? Path,
    int? Port,
    IReadOnlyList<string>? Command,
    int PeriodSeconds,
    int TimeoutSeconds,
    int FailureThreshold,
    int InitialDelaySeconds)
{
    /// <summary>
    /// The type of a deployment that listens on nothing (a background worker): no probe, ready while its pod runs;
    /// only exits restart it.
    /// </summary>
    public const string NoProbe = "none";
}
