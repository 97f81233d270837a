using Poddle.Drivers.Abstractions.Pods;

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
    HealthCheckSpec? HealthCheck)
{
    /// <summary>How locked down its pods run beyond the driver's defaults (revisions stored before it existed read as the default).</summary>
    public SecuritySpec Security { get; init; } = SecuritySpec.Default;

    /// <summary>Credentials for pulling <see cref="Image"/> from a private registry; the password only encrypted.</summary>
    public RegistryAuthSpec? RegistryAuth { get; init; }
}

/// <summary>A deployment's security settings (docs/deployments.md, "Security"); the defaults add nothing to the driver's own.</summary>
/// <param name="ReadOnlyRootFilesystem">The root filesystem is read-only; /tmp is a small writable tmpfs.</param>
/// <param name="RunAsNonRoot">Refuse to start when the pod would run as root.</param>
/// <param name="User">"uid", "uid:gid", "name" or "name:group"; null keeps the image's own.</param>
/// <param name="Capabilities">Linux capabilities added back (upper case, no "CAP_"), sorted; empty for none.</param>
public sealed record SecuritySpec(bool ReadOnlyRootFilesystem, bool RunAsNonRoot, string? User, IReadOnlyList<string> Capabilities)
{
    /// <summary>Nothing beyond the driver's defaults.</summary>
    public static SecuritySpec Default { get; } = new(false, false, null, []);

    /// <summary>True when it asks for nothing beyond the defaults.</summary>
    public bool IsDefault => !ReadOnlyRootFilesystem && !RunAsNonRoot && User is null && Capabilities.Count == 0;

    /// <summary>The driver contract's form.</summary>
    public PodSecurity ToPodSecurity() => IsDefault ? PodSecurity.Default : new(ReadOnlyRootFilesystem, RunAsNonRoot, User, Capabilities.Count == 0 ? null : Capabilities);

    /// <inheritdoc />
    public bool Equals(SecuritySpec? other) =>
        other is not null && ReadOnlyRootFilesystem == other.ReadOnlyRootFilesystem && RunAsNonRoot == other.RunAsNonRoot
        && User == other.User && Capabilities.SequenceEqual(other.Capabilities, StringComparer.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ReadOnlyRootFilesystem, RunAsNonRoot, User, Capabilities.Count);
}

/// <summary>A private registry's credentials as stored: the password encrypted with the secrets key, never shown again.</summary>
/// <param name="Server">The registry's host[:port] ("registry.example.com", "localhost:5000"), as the image names it.</param>
/// <param name="Username">The account (shown back by the API).</param>
/// <param name="PasswordCiphertext">The password, encrypted like secrets (<see cref="Common.SecretProtector.ProtectValue"/>).</param>
public sealed record RegistryAuthSpec(string Server, string Username, byte[] PasswordCiphertext);

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
