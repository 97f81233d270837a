using System.Text.Json.Serialization;

namespace Poddle.Contracts;

/// <summary>POST /api/projects/{id}/deployments. An <see cref="Image"/> (with an optional <see cref="Command"/> overriding its own), or a <see cref="Command"/> alone.</summary>
/// <param name="Name">DNS label (a-z, 0-9, '-', at most 63), unique in the project; part of the URL.</param>
/// <param name="Image">Container image reference (docker driver).</param>
/// <param name="Command">A command: an array (argv, run as given) or a string (run by /bin/sh -c, <see cref="ShellCommand"/>). Alone (sandbox driver) it runs in the unpacked <see cref="SourceId"/> when given; with an image, it replaces the image's command (CMD; its entrypoint stays).</param>
/// <param name="SourceId">An uploaded source bundle (POST /api/projects/{id}/sources).</param>
/// <param name="Port">The port the app listens on; also set as $PORT. Default 8080.</param>
/// <param name="Env">Plain environment variables (shown back by the API).</param>
/// <param name="Secrets">Secret environment variables: write-only, only their keys are ever shown.</param>
/// <param name="Resources">Per-replica CPU and memory (defaults 250 millicores, 256 MiB), within the owner's tier.</param>
/// <param name="Replicas">How many pods (default 1), within the owner's tier.</param>
/// <param name="HealthCheck">How replicas are probed; a TCP check of the port when null.</param>
/// <param name="Driver">"sandbox" (default for commands) or "docker" (default for images).</param>
public sealed record CreateDeploymentRequest(
    string? Name,
    string? Image = null,
    [property: JsonConverter(typeof(CommandJsonConverter))] IReadOnlyList<string>? Command = null,
    Guid? SourceId = null,
    int? Port = null,
    IReadOnlyDictionary<string, string>? Env = null,
    IReadOnlyDictionary<string, string>? Secrets = null,
    ResourcesDto? Resources = null,
    int? Replicas = null,
    HealthCheckDto? HealthCheck = null,
    string? Driver = null)
{
    /// <summary>How locked down the pods run beyond the driver's defaults (docs/deployments.md, "Security").</summary>
    public SecurityDto? Security { get; init; }

    /// <summary>Credentials for pulling the image from a private registry; the password is write-only.</summary>
    public RegistryAuthDto? RegistryAuth { get; init; }
}

/// <summary>A deployment's security settings; a missing field is its default (false, the image's user, no capability).</summary>
/// <param name="ReadOnlyRootFilesystem">The root filesystem is read-only; /tmp is a small writable tmpfs.</param>
/// <param name="RunAsNonRoot">Refuse to start a pod that would run as root (uid 0).</param>
/// <param name="User">The user the pod runs as: "uid", "uid:gid", "name" or "name:group".</param>
/// <param name="Capabilities">Linux capabilities given back to the pod (all are dropped), from an allow-list: AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, NET_BIND_SERVICE, SETGID, SETUID.</param>
public sealed record SecurityDto(bool? ReadOnlyRootFilesystem = null, bool? RunAsNonRoot = null, string? User = null, IReadOnlyList<string>? Capabilities = null);

/// <summary>A private registry's credentials as sent: the password only ever travels in, never back.</summary>
/// <param name="Server">The registry's host[:port], the one the image names (registry.example.com/team/app:1 → registry.example.com).</param>
/// <param name="Username">The account.</param>
/// <param name="Password">The password or access token (write-only; in an update, omit it to keep the stored one for the same server and user).</param>
public sealed record RegistryAuthDto(string? Server = null, string? Username = null, string? Password = null)
{
    /// <inheritdoc />
    public override string ToString() => $"RegistryAuthDto {{ Server = {Server}, Username = {Username}, Password = (hidden) }}";
}

/// <summary>A deployment's registry credentials as the API shows them: never the password.</summary>
public sealed record RegistryAuthResponse(string Server, string Username);

/// <summary>Per-replica limits.</summary>
public sealed record ResourcesDto(int? CpuMillicores = null, int? MemoryMb = null);

/// <summary>How replicas are probed. Type: http | tcp | command | none (no probe: ready while running, for a worker that listens on nothing).</summary>
public sealed record HealthCheckDto(
    string? Type,
    string? Path = null,
    int? Port = null,
    IReadOnlyList<string>? Command = null,
    int? PeriodSeconds = null,
    int? TimeoutSeconds = null,
    int? FailureThreshold = null,
    int? InitialDelaySeconds = null);

/// <summary>
/// PATCH /api/deployments/{id}: any field given replaces the current one and starts a rolling update to a new revision.
/// <see cref="Env"/> and <see cref="Secrets"/> are merged: a key with a null value is removed.
/// </summary>
public sealed record UpdateDeploymentRequest(
    string? Image = null,
    [property: JsonConverter(typeof(CommandJsonConverter))] IReadOnlyList<string>? Command = null,
    Guid? SourceId = null,
    int? Port = null,
    IReadOnlyDictionary<string, string?>? Env = null,
    IReadOnlyDictionary<string, string?>? Secrets = null,
    ResourcesDto? Resources = null,
    HealthCheckDto? HealthCheck = null)
{
    /// <summary>Replaces the security settings (every field: a missing one is its default).</summary>
    public SecurityDto? Security { get; init; }

    /// <summary>Replaces the registry credentials; <c>{}</c> removes them.</summary>
    public RegistryAuthDto? RegistryAuth { get; init; }
}

/// <summary>PATCH /api/deployments/{id}/scale.</summary>
public sealed record ScaleDeploymentRequest(int? Replicas);

/// <summary>POST /api/deployments/{id}/rollback: to this revision number (the previous one when null).</summary>
public sealed record RollbackDeploymentRequest(int? Revision = null);

/// <summary>A deployment as the API shows it: secret keys, never values.</summary>
public sealed record DeploymentResponse(
    Guid Id,
    Guid ProjectId,
    string Name,
    string Driver,
    string Status,
    string? StatusReason,
    string Url,
    int Replicas,
    int ReadyReplicas,
    int Revision,
    string? Image,
    IReadOnlyList<string>? Command,
    Guid? SourceId,
    int? Port,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyList<string> SecretKeys,
    ResourcesDto Resources,
    HealthCheckDto? HealthCheck,
    IReadOnlyList<ReplicaResponse> ReplicaDetails,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The security settings in force (all defaults when none were asked for).</summary>
    public SecurityDto? Security { get; init; }

    /// <summary>The registry credentials' server and user; the password never.</summary>
    public RegistryAuthResponse? RegistryAuth { get; init; }
}

/// <summary>One replica: phase (starting, running, crashed, stopping, stopped), readiness, restarts, last exit reason.</summary>
/// <param name="Health">Its pod's health as the pod agent reports it (status "unknown" when no agent reported).</param>
/// <param name="ShortId">The replica's short id, the last 8 hex digits of <paramref name="Id"/>: the form events, logs and the CLI show.</param>
/// <param name="CrashLooping">Not ready and crashed at least twice in a row (docs/deployments.md, "Health and restarts").</param>
public sealed record ReplicaResponse(
    Guid Id,
    int Revision,
    string Phase,
    bool Ready,
    int Restarts,
    string? LastExitReason,
    DateTimeOffset? LastExitAt,
    DateTimeOffset? StartedAt,
    PodHealthResponse? Health = null,
    string? ShortId = null,
    bool CrashLooping = false);

/// <summary>GET /api/deployments/{id}/revisions item.</summary>
public sealed record RevisionResponse(
    int Number,
    string Cause,
    string? Outcome,
    bool Current,
    string? Image,
    IReadOnlyList<string>? Command,
    IReadOnlyList<string> SecretKeys,
    DateTimeOffset CreatedAt);

/// <summary>GET /api/deployments/{id}/events item.</summary>
/// <param name="Message">What happened, in its first line. A ReplicaCrashed message may go on with "  last lines on stderr:" and the last lines the replica wrote to stderr, each indented by four spaces (secret values masked as ***).</param>
/// <param name="ReplicaShortId">The short id of <paramref name="ReplicaId"/> (as in <see cref="ReplicaResponse.ShortId"/>); null for events of the whole deployment.</param>
public sealed record DeploymentEventResponse(
    Guid Id,
    Guid? ReplicaId,
    string Severity,
    string Type,
    string Reason,
    string Message,
    int Count,
    DateTimeOffset FirstSeenAt,
    DateTimeOffset LastSeenAt,
    string? ReplicaShortId = null);

/// <summary>A log line (GET /logs returns a list; /logs/stream sends each as an SSE "log" event).</summary>
/// <param name="ReplicaShortId">The short id of the replica that wrote it (as in <see cref="ReplicaResponse.ShortId"/>).</param>
public sealed record LogLineResponse(Guid ReplicaId, DateTimeOffset Timestamp, string Stream, string Text, string? ReplicaShortId = null);

/// <summary>A metrics sample of one replica: CPU in millicores used, memory, network rates.</summary>
public sealed record ReplicaMetricsSample(
    DateTimeOffset Timestamp,
    double CpuMillicores,
    long MemoryBytes,
    long? MemoryLimitBytes,
    double? NetworkRxBytesPerSecond,
    double? NetworkTxBytesPerSecond);

/// <summary>GET /api/deployments/{id}/metrics: per replica, its history (oldest first, the newest last).</summary>
public sealed record DeploymentMetricsResponse(IReadOnlyList<ReplicaMetricsResponse> Replicas);

/// <summary>One replica's samples.</summary>
public sealed record ReplicaMetricsResponse(Guid ReplicaId, IReadOnlyList<ReplicaMetricsSample> Samples);

/// <summary>POST /api/deployments/{id}/domains.</summary>
public sealed record AddDomainRequest(string? Hostname);

/// <summary>A custom domain: verified or the TXT record to publish.</summary>
public sealed record DomainResponse(
    Guid Id,
    string Hostname,
    bool Verified,
    string? VerifiedBy,
    string TxtRecordName,
    string TxtRecordValue,
    DateTimeOffset CreatedAt);

/// <summary>POST /api/projects/{id}/sources (body: a tar.gz of the app's directory).</summary>
public sealed record SourceBundleResponse(Guid Id, string Sha256, long SizeBytes, DateTimeOffset CreatedAt);
