namespace Poddle.Core.Deployments;

/// <summary>
/// Where a deployment is (docs/deployments.md has the state machine). Every change of status is a
/// <see cref="DeploymentEvent"/> with a reason.
/// </summary>
public enum DeploymentStatus
{
    /// <summary>Accepted by the API; the provisioning job has not started.</summary>
    Pending,

    /// <summary>Replicas of the current revision are being started (first deploy, update, scale, restart).</summary>
    Provisioning,

    /// <summary>Every desired replica runs the current revision and is ready.</summary>
    Running,

    /// <summary>Some, not all, desired replicas are ready.</summary>
    Degraded,

    /// <summary>No replica is ready (crash loop, failing probes) although pods exist.</summary>
    Unhealthy,

    /// <summary>Could not be provisioned (bad image, driver down past the deadline); the reason says why.</summary>
    Failed,

    /// <summary>Scaled to zero replicas.</summary>
    Stopped,

    /// <summary>
    /// Scaled to zero because its owner is suspended (billing: balance below zero past the grace); the desired replicas
    /// are kept in <see cref="Deployment.SuspendedReplicas"/> and come back when the owner is resumed.
    /// </summary>
    Suspended,

    /// <summary>Deletion requested; pods are being destroyed.</summary>
    Deleting,

    /// <summary>Every pod is gone; the row stays (soft-deleted) so its events remain readable to its owner.</summary>
    Deleted,
}

/// <summary>
/// A user's app: desired state (which revision, how many replicas) and last observed state (status, reason).
/// Desired state changes bump <see cref="Generation"/>; the controller records the generation it has acted on in
/// <see cref="ObservedGeneration"/>.
/// </summary>
public sealed class Deployment
{
    public Guid Id { get; init; }

    public Guid ProjectId { get; init; }

    /// <summary>The project's owner, copied so every query can filter by owner without a join.</summary>
    public Guid OwnerId { get; init; }

    /// <summary>A DNS label unique among the project's live deployments; part of the host name.</summary>
    public required string Name { get; init; }

    /// <summary>The pod driver that runs it ("sandbox", "docker").</summary>
    public required string Driver { get; init; }

    /// <summary>Desired number of replicas (0 = stopped).</summary>
    public int Replicas { get; set; }

    /// <summary>
    /// Non-null exactly while the owner is suspended (billing): the desired replicas to restore at resume, while
    /// <see cref="Replicas"/> is 0 so the controller stops every pod. Configuration and data are untouched.
    /// </summary>
    public int? SuspendedReplicas { get; set; }

    /// <summary>The revision the user wants running (the newest, or the one rolled back to).</summary>
    public int CurrentRevision { get; set; }

    /// <summary>The last revision whose replicas all became ready; the target of an automatic rollback. Null before the first success.</summary>
    public int? StableRevision { get; set; }

    public DeploymentStatus Status { get; set; }

    /// <summary>Why it is in its status, for people ("exit code 1", "image not found: web:2").</summary>
    public string? StatusReason { get; set; }

    public DateTimeOffset StatusChangedAt { get; set; }

    /// <summary>Bumped on every change of desired state (update, scale, restart, rollback, delete).</summary>
    public long Generation { get; set; }

    /// <summary>The generation the controller has fully acted on.</summary>
    public long ObservedGeneration { get; set; }

    /// <summary>Set by a restart request: replicas started before it are replaced, one at a time.</summary>
    public DateTimeOffset? RestartRequestedAt { get; set; }

    /// <summary>When the owner was last notified about a problem (notifications are throttled per deployment).</summary>
    public DateTimeOffset? LastNotifiedAt { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When it was deleted; a deleted deployment's name can be reused.</summary>
    public DateTimeOffset? DeletedAt { get; set; }
}

/// <summary>
/// One immutable version of a deployment's configuration. Every update creates one; a rollback creates a new one that
/// copies an old one's configuration, secrets included.
/// </summary>
public sealed class DeploymentRevision
{
    public Guid Id { get; init; }

    public Guid DeploymentId { get; init; }

    /// <summary>1, 2, 3 ... per deployment.</summary>
    public int Number { get; init; }

    /// <summary>The <see cref="DeploymentSpec"/> as JSON: no secret values, only their keys.</summary>
    public required string SpecJson { get; init; }

    /// <summary>The secrets (a JSON object of key → value) encrypted at rest (AES-GCM, key from configuration); null when none.</summary>
    public byte[]? SecretsCiphertext { get; init; }

    /// <summary>Why it exists: "create", "update", "rollback to 2", "automatic rollback to 2".</summary>
    public required string Cause { get; init; }

    /// <summary>Null while current or never tried; "ready" once its replicas all became ready; "failed: …" when it was rolled back.</summary>
    public string? Outcome { get; set; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>Where a replica is in its life.</summary>
public enum ReplicaPhase
{
    /// <summary>The pod is being created, or waits for its restart back-off to pass.</summary>
    Starting,

    /// <summary>The pod runs (ready or not: <see cref="Replica.Ready"/>).</summary>
    Running,

    /// <summary>The process exited or was killed; restarted after <see cref="Replica.NextRestartAt"/>.</summary>
    Crashed,

    /// <summary>Being stopped (replaced, scaled down, deleted).</summary>
    Stopping,

    /// <summary>Its pod is destroyed; the row is kept for history until the deployment is deleted.</summary>
    Stopped,
}

/// <summary>
/// One pod of a deployment, with the persisted <see cref="Poddle.Drivers.Abstractions.Pods.PodHandle"/> that lets a
/// restarted server re-adopt it, and its health as last observed.
/// </summary>
public sealed class Replica
{
    public Guid Id { get; init; }

    public Guid DeploymentId { get; init; }

    /// <summary>The revision this replica runs.</summary>
    public int Revision { get; init; }

    public required string Driver { get; init; }

    public ReplicaPhase Phase { get; set; }

    /// <summary>Passes its readiness probe: the proxy sends it traffic.</summary>
    public bool Ready { get; set; }

    /// <summary>The driver's pod id; null until the pod is started (and again between a crash and the restart).</summary>
    public string? PodId { get; set; }

    /// <summary>The handle's <see cref="Poddle.Drivers.Abstractions.Pods.PodHandle.StateVersion"/>.</summary>
    public int PodStateVersion { get; set; }

    /// <summary>The handle's driver state (JSON, at most 4 KiB).</summary>
    public string? PodState { get; set; }

    /// <summary>Where the proxy and the probes reach it, while running ("127.0.0.1", 41234).</summary>
    public string? EndpointHost { get; set; }

    public int? EndpointPort { get; set; }

    /// <summary>How many times the pod was restarted (crash or liveness failure).</summary>
    public int Restarts { get; set; }

    /// <summary>Why the pod last ended: "OOMKilled", "exit code 1", "liveness probe failed: …".</summary>
    public string? LastExitReason { get; set; }

    public DateTimeOffset? LastExitAt { get; set; }

    /// <summary>Crash-loop back-off: no restart before this time (10 s doubling to 5 min).</summary>
    public DateTimeOffset? NextRestartAt { get; set; }

    /// <summary>Consecutive crashes counted for the back-off; reset after 10 minutes healthy.</summary>
    public int CrashStreak { get; set; }

    /// <summary>Consecutive failed probes (readiness and liveness share the probe).</summary>
    public int ProbeFailures { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When it last became ready; null while not ready.</summary>
    public DateTimeOffset? ReadySince { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// Something that happened to a deployment, for its owner: a status change, a crash, a probe failure, a rollout step.
/// Repeats of the same (type, reason, replica) within a window increment <see cref="Count"/> instead of adding rows.
/// Messages never hold secret values.
/// </summary>
public sealed class DeploymentEvent
{
    public Guid Id { get; init; }

    public Guid DeploymentId { get; init; }

    public Guid? ReplicaId { get; init; }

    /// <summary>"Normal" or "Warning".</summary>
    public required string Severity { get; init; }

    /// <summary>A stable code: StatusChanged, ReplicaStarted, ReplicaCrashed, ProbeFailed, RolloutStarted, RolledBack, OrphanFound, Drift ...</summary>
    public required string Type { get; init; }

    /// <summary>A short reason ("OOMKilled", "exit code 1").</summary>
    public required string Reason { get; init; }

    public required string Message { get; set; }

    public int Count { get; set; }

    public DateTimeOffset FirstSeenAt { get; init; }

    public DateTimeOffset LastSeenAt { get; set; }
}

/// <summary>A host name routed to a deployment once its ownership is verified (DNS TXT record or an admin).</summary>
public sealed class CustomDomain
{
    public Guid Id { get; init; }

    public Guid DeploymentId { get; init; }

    public Guid OwnerId { get; init; }

    /// <summary>Lower-case, no trailing dot; unique across the installation.</summary>
    public required string Hostname { get; init; }

    /// <summary>The value the owner publishes as TXT at _poddle-challenge.{hostname}.</summary>
    public required string VerificationToken { get; init; }

    public DateTimeOffset? VerifiedAt { get; set; }

    /// <summary>"dns" or "admin".</summary>
    public string? VerifiedBy { get; set; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>An uploaded source bundle (tar.gz) for command deployments; the bytes live in the data directory.</summary>
public sealed class SourceBundle
{
    public Guid Id { get; init; }

    public Guid OwnerId { get; init; }

    /// <summary>Hex SHA-256 of the uploaded archive.</summary>
    public required string Sha256 { get; init; }

    public long SizeBytes { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
