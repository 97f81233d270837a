using System.Text.Json;

namespace Poddle.Core.Deployments;

/// <summary>What a caller asks for when creating a deployment (unvalidated; every field optional except the name).</summary>
public sealed record NewDeployment(
    string? Name,
    string? Image = null,
    IReadOnlyList<string>? Command = null,
    Guid? SourceId = null,
    int? Port = null,
    IReadOnlyDictionary<string, string>? Env = null,
    IReadOnlyDictionary<string, string>? Secrets = null,
    ResourcesInput? Resources = null,
    int? Replicas = null,
    HealthCheckInput? HealthCheck = null,
    string? Driver = null)
{
    /// <summary>Security settings; none beyond the driver's defaults when null.</summary>
    public SecurityInput? Security { get; init; }

    /// <summary>A private registry's credentials for the image; none when null.</summary>
    public RegistryAuthInput? RegistryAuth { get; init; }
}

/// <summary>
/// An update: any field given replaces the current one; <see cref="Env"/> and <see cref="Secrets"/> are merged, a key
/// with a null value is removed. Giving an image alone drops a command that overrode the old image's; giving a command
/// alone keeps the image (it overrides the image's command) or, without one, the source.
/// </summary>
public sealed record DeploymentChanges(
    string? Image = null,
    IReadOnlyList<string>? Command = null,
    Guid? SourceId = null,
    int? Port = null,
    IReadOnlyDictionary<string, string?>? Env = null,
    IReadOnlyDictionary<string, string?>? Secrets = null,
    ResourcesInput? Resources = null,
    HealthCheckInput? HealthCheck = null)
{
    /// <summary>Replaces the security settings when given (every field: a missing one is its default).</summary>
    public SecurityInput? Security { get; init; }

    /// <summary>Replaces the registry credentials when given; one with no field set removes them.</summary>
    public RegistryAuthInput? RegistryAuth { get; init; }

    /// <summary>True when nothing would change.</summary>
    public bool IsEmpty => Image is null && Command is null && SourceId is null && Port is null && Env is null && Secrets is null && Resources is null && HealthCheck is null
        && Security is null && RegistryAuth is null;
}

/// <summary>Security settings as asked for; a missing value is its default (off, the image's user, no capability).</summary>
public sealed record SecurityInput(bool? ReadOnlyRootFilesystem = null, bool? RunAsNonRoot = null, string? User = null, IReadOnlyList<string>? Capabilities = null);

/// <summary>A private registry's credentials as given (the password in clear, only on its way in).</summary>
public sealed record RegistryAuthInput(string? Server = null, string? Username = null, string? Password = null)
{
    /// <summary>No field set: in an update, removes the credentials.</summary>
    public bool IsEmpty => string.IsNullOrEmpty(Server) && string.IsNullOrEmpty(Username) && string.IsNullOrEmpty(Password);

    /// <inheritdoc />
    public override string ToString() => $"{Server} as {Username} (password hidden)";
}

/// <summary>Per-replica CPU (millicores) and memory (MiB); a missing value takes the default (or, in an update, the current one).</summary>
public sealed record ResourcesInput(int? CpuMillicores = null, int? MemoryMb = null);

/// <summary>A health check as asked for; missing numbers take the defaults (10 s period, 1 s timeout, 3 failures, no delay).</summary>
public sealed record HealthCheckInput(
    string? Type,
    string? Path = null,
    int? Port = null,
    IReadOnlyList<string>? Command = null,
    int? PeriodSeconds = null,
    int? TimeoutSeconds = null,
    int? FailureThreshold = null,
    int? InitialDelaySeconds = null);

/// <summary>A deployment with what the API shows of it: its project's name, its current revision's spec and its live replicas.</summary>
/// <param name="Deployment">The row.</param>
/// <param name="ProjectName">For the host name.</param>
/// <param name="Spec">The current revision's configuration (secret keys, never values).</param>
/// <param name="Replicas">Replicas not yet stopped, oldest first.</param>
public sealed record DeploymentView(Deployment Deployment, string ProjectName, DeploymentSpec Spec, IReadOnlyList<Replica> Replicas)
{
    /// <summary>Replicas that pass their readiness probe (the ones the proxy sends traffic to).</summary>
    public int ReadyReplicas => Replicas.Count(r => r.Ready && r.Phase == ReplicaPhase.Running);

    /// <summary>Pods' health from their agents, by replica id; a replica absent here has "unknown" health.</summary>
    public IReadOnlyDictionary<Guid, PodHealth> Health { get; init; } = new Dictionary<Guid, PodHealth>();
}

/// <summary>One revision with its spec, and whether it is the deployment's current one.</summary>
public sealed record RevisionView(DeploymentRevision Revision, DeploymentSpec Spec, bool Current);

/// <summary>
/// How a <see cref="DeploymentSpec"/> is stored in <see cref="DeploymentRevision.SpecJson"/>: System.Text.Json with default
/// (PascalCase) names, which both default and web (case-insensitive) options read back.
/// </summary>
public static class DeploymentSpecJson
{
    public static string Serialize(DeploymentSpec spec) => JsonSerializer.Serialize(spec);

    public static DeploymentSpec Deserialize(string json) =>
        JsonSerializer.Deserialize<DeploymentSpec>(json) ?? throw new JsonException("A revision's spec is null.");
}
