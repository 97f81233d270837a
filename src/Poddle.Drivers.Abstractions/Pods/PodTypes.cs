namespace Poddle.Drivers.Abstractions.Pods;

/// <summary>Labels Poddle puts on every pod. Keys are lower-case, dot-separated; values are short strings.</summary>
public static class PodLabels
{
    /// <summary>Which Poddle installation owns the pod (its instance id), so two installations sharing an engine never adopt each other's pods.</summary>
    public const string Owner = "poddle.owner";

    /// <summary>
    /// Which tenant (user) of the installation the pod belongs to: drivers that isolate networks keep pods of different
    /// tenants apart (the Docker driver gives each tenant a network of its own).
    /// </summary>
    public const string Tenant = "poddle.tenant";

    /// <summary>What the pod is for: "deployment", "worker".</summary>
    public const string Kind = "poddle.kind";

    /// <summary>The id of the thing the pod belongs to (the deployment id).</summary>
    public const string Id = "poddle.id";

    /// <summary>The replica's id within its deployment.</summary>
    public const string Replica = "poddle.replica";

    /// <summary>The deployment revision the pod runs.</summary>
    public const string Revision = "poddle.revision";
}

/// <summary>What a driver can do.</summary>
/// <param name="Images">Runs container images (<see cref="PodSpec.Image"/>).</param>
/// <param name="Commands">Runs a plain command with an optional source directory (<see cref="PodSpec.SourceDirectory"/>).</param>
/// <param name="Gpu">Can give pods GPUs.</param>
/// <param name="NetworkIsolation">Pods cannot reach each other or the host's private services except through their port.</param>
/// <param name="Logs">Implements <see cref="IPodLogSource"/>.</param>
/// <param name="Stats">Implements <see cref="IPodStatsSource"/>.</param>
/// <param name="Signals">Stop sends SIGTERM before SIGKILL (a grace period is honoured).</param>
/// <param name="Exec">Can run a command inside a running pod.</param>
public sealed record DriverCapabilities(
    bool Images,
    bool Commands,
    bool Gpu,
    bool NetworkIsolation,
    bool Logs,
    bool Stats,
    bool Signals,
    bool Exec)
{
    /// <summary>Which <see cref="PodSecurity"/> settings the driver honours; a spec asking for another is refused (none by default).</summary>
    public PodSecurityFeatures Security { get; init; }

    /// <summary>
    /// Which hardware and placement fields of <see cref="PodSpec"/> the driver honours (GPUs, disks, ports, cloud type,
    /// spot); a spec asking for another is refused (none by default). Includes <see cref="PodHardwareFeatures.Gpu"/> exactly
    /// when <see cref="Gpu"/> is true.
    /// </summary>
    public PodHardwareFeatures Hardware { get; init; }

    /// <summary>
    /// The driver observes how a pod's main process ended (exit code, signal, OOM kill), and a pod whose process exits
    /// is <see cref="PodState.Exited"/>. False for a provider that restarts the container itself and only reports
    /// stopped pods (RunPod): <see cref="IPodDriver.WaitAsync"/> then completes when the pod is stopped, with
    /// <see cref="ExitResult.Unknown"/>.
    /// </summary>
    public bool ExitStatus { get; init; } = true;

    /// <summary>
    /// <see cref="PodStatus.Endpoint"/> is reachable from the server's own machine over plain HTTP (a local container,
    /// a sandbox port). False for a remote provider, whose pods are reached through its proxy or a public address.
    /// </summary>
    public bool LocalEndpoint { get; init; } = true;

    /// <summary>
    /// Throws <see cref="PodDriverException"/> (<see cref="PodFailureKind.UnsupportedSpec"/>) naming the first field of
    /// <paramref name="spec"/> this driver cannot honour (<see cref="Hardware"/>), so no driver starts a pod without the
    /// GPU, disk or placement it was asked for.
    /// </summary>
    public void EnsureSupports(PodSpec spec, string driverName)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var missing = spec.RequestedHardware & ~Hardware;
        if (missing == PodHardwareFeatures.None)
        {
            return;
        }

        var first = Enum.GetValues<PodHardwareFeatures>().First(f => f != PodHardwareFeatures.None && missing.HasFlag(f));
        var what = first switch
        {
            PodHardwareFeatures.Gpu => "GPUs (gpu.count)",
            PodHardwareFeatures.GpuType => "a GPU type (gpu.type)",
            PodHardwareFeatures.ContainerDisk => "a container disk size (storage.containerDiskGb)",
            PodHardwareFeatures.Volume => "a volume (storage.volumeGb, storage.volumeMountPath)",
            PodHardwareFeatures.Ports => "extra ports (ports)",
            PodHardwareFeatures.CloudType => "a cloud type (placement.cloudType)",
            _ => "interruptible (spot) pods (placement.spotBidPerGpu)",
        };
        throw new PodDriverException(PodFailureKind.UnsupportedSpec, $"the {driverName} driver cannot give a pod {what}; use a driver that can (runpod for GPUs)");
    }
}

/// <summary>The <see cref="PodSecurity"/> settings a driver can honour (<see cref="DriverCapabilities.Security"/>).</summary>
[Flags]
public enum PodSecurityFeatures
{
    /// <summary>None of them.</summary>
    None = 0,

    /// <summary><see cref="PodSecurity.ReadOnlyRootFilesystem"/>.</summary>
    ReadOnlyRootFilesystem = 1,

    /// <summary><see cref="PodSecurity.RunAsNonRoot"/>.</summary>
    RunAsNonRoot = 2,

    /// <summary><see cref="PodSecurity.User"/>: the pod's processes run as the uid (or name) given.</summary>
    User = 4,

    /// <summary><see cref="PodSecurity.AddCapabilities"/>.</summary>
    AddCapabilities = 8,
}

/// <summary>Whether a driver can start pods now.</summary>
/// <param name="Available">False when nothing can start (engine unreachable).</param>
/// <param name="Detail">What was checked, and why not when unavailable ("docker: connection refused on /var/run/docker.sock").</param>
public sealed record DriverHealth(bool Available, string Detail);

/// <summary>What to run. Immutable and already validated by the caller (names, sizes, limits).</summary>
/// <param name="Name">A DNS-label-like name for people ("web-demo-3f2a"); drivers may prefix or shorten it.</param>
/// <param name="Labels">Put on the pod and matched by <see cref="IPodDriver.ListAsync"/>.</param>
/// <param name="Image">Container image reference, for drivers with <see cref="DriverCapabilities.Images"/>.</param>
/// <param name="Command">The argv to run; for an image, overrides its command (null keeps the image's own).</param>
/// <param name="SourceDirectory">A host directory with the app's unpacked source; the command runs in a copy or a read-only view of it.</param>
/// <param name="Env">Environment variables (secrets included, already decrypted: a driver never logs values).</param>
/// <param name="Port">The port the app listens on inside the pod; the driver sets <c>PORT</c> to it and reports where it is reachable in <see cref="PodStatus.Endpoint"/>. Null for pods without a port.</param>
/// <param name="Resources">CPU and memory limits.</param>
public sealed record PodSpec(
    string Name,
    IReadOnlyDictionary<string, string> Labels,
    string? Image,
    IReadOnlyList<string>? Command,
    string? SourceDirectory,
    IReadOnlyDictionary<string, string> Env,
    int? Port,
    PodResources Resources)
{
    /// <summary>How locked down the pod runs beyond the driver's defaults (<see cref="PodSecurity.Default"/>: nothing more).</summary>
    public PodSecurity Security { get; init; } = PodSecurity.Default;

    /// <summary>Credentials for pulling <see cref="Image"/> from a private registry; null for none.</summary>
    public PodRegistryAuth? RegistryAuth { get; init; }

    /// <summary>GPUs for the pod; null for none.</summary>
    public PodGpu? Gpu { get; init; }

    /// <summary>Container disk and volume sizes; null: the driver's defaults.</summary>
    public PodStorage? Storage { get; init; }

    /// <summary>Ports exposed beyond <see cref="Port"/> (RunPod's "8888/http,22/tcp"); empty for none.</summary>
    public IReadOnlyList<PodPortMapping> Ports { get; init; } = [];

    /// <summary>Cloud type and spot bid (<see cref="PodPlacement.Default"/>: any cloud, on demand).</summary>
    public PodPlacement Placement { get; init; } = PodPlacement.Default;

    /// <summary>The hardware and placement fields this spec asks for (<see cref="DriverCapabilities.Hardware"/>).</summary>
    public PodHardwareFeatures RequestedHardware =>
        (Gpu is not null ? PodHardwareFeatures.Gpu : PodHardwareFeatures.None)
        | (Gpu?.Type is not null ? PodHardwareFeatures.GpuType : PodHardwareFeatures.None)
        | (Storage?.ContainerDiskGb is not null ? PodHardwareFeatures.ContainerDisk : PodHardwareFeatures.None)
        | (Storage is { VolumeGb: > 0 } or { VolumeMountPath: not null } ? PodHardwareFeatures.Volume : PodHardwareFeatures.None)
        | (Ports.Count > 0 ? PodHardwareFeatures.Ports : PodHardwareFeatures.None)
        | (Placement.CloudType != PodCloudType.Any ? PodHardwareFeatures.CloudType : PodHardwareFeatures.None)
        | (Placement.IsSpot ? PodHardwareFeatures.Spot : PodHardwareFeatures.None);
}

/// <summary>
/// A pod's security settings beyond what every pod of the driver gets (Docker: no capabilities, no-new-privileges, a
/// pids limit; see docs/drivers.md). Already validated by the caller; a driver refuses what it cannot honour
/// (<see cref="DriverCapabilities.Security"/>) with <see cref="PodFailureKind.UnsupportedSpec"/>.
/// </summary>
/// <param name="ReadOnlyRootFilesystem">The root filesystem is read-only; /tmp is a small writable tmpfs.</param>
/// <param name="RunAsNonRoot">Refuse to start when the pod's user (<paramref name="User"/>, else the image's) is root (uid 0).</param>
/// <param name="User">The user the pod's processes run as: "uid", "uid:gid", "name" or "name:group"; null keeps the image's (or driver's) own.</param>
/// <param name="AddCapabilities">Linux capabilities given back (upper case, without "CAP_"), each one of <see cref="AllowedCapabilities"/>; null or empty for none.</param>
public sealed record PodSecurity(
    bool ReadOnlyRootFilesystem = false,
    bool RunAsNonRoot = false,
    string? User = null,
    IReadOnlyList<string>? AddCapabilities = null)
{
    /// <summary>
    /// The capabilities a pod may be given back, all from Docker's own default set: enough to bind ports below 1024,
    /// drop privileges (nginx, postgres entrypoints) and own files. Left out on purpose: NET_RAW (raw sockets, packet
    /// spoofing on the pods' network), MKNOD, SYS_CHROOT, SETPCAP, SETFCAP and everything outside Docker's defaults
    /// (SYS_ADMIN, NET_ADMIN, SYS_PTRACE ...), which would let a pod attack the host or its neighbours.
    /// </summary>
    public static IReadOnlySet<string> AllowedCapabilities { get; } = new HashSet<string>(
        ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "NET_BIND_SERVICE", "SETGID", "SETUID"],
        StringComparer.Ordinal);

    /// <summary>Nothing beyond the driver's defaults.</summary>
    public static PodSecurity Default { get; } = new();

    /// <summary>The settings this spec asks for beyond the defaults.</summary>
    public PodSecurityFeatures Requested =>
        (ReadOnlyRootFilesystem ? PodSecurityFeatures.ReadOnlyRootFilesystem : PodSecurityFeatures.None)
        | (RunAsNonRoot ? PodSecurityFeatures.RunAsNonRoot : PodSecurityFeatures.None)
        | (User is not null ? PodSecurityFeatures.User : PodSecurityFeatures.None)
        | (AddCapabilities is { Count: > 0 } ? PodSecurityFeatures.AddCapabilities : PodSecurityFeatures.None);
}

/// <summary>
/// Credentials for a private registry, passed to the image pull only. The password is a secret: never logged, never in
/// an exception message, and hidden from <see cref="ToString"/>.
/// </summary>
/// <param name="Server">The registry's host[:port], as in the image reference ("registry.example.com", "localhost:5000").</param>
/// <param name="Username">The account.</param>
/// <param name="Password">The password or access token.</param>
public sealed record PodRegistryAuth(string Server, string Username, string Password)
{
    /// <summary>Docker Hub, the registry of references without a registry part ("nginx:1.27").</summary>
    public const string DockerHub = "docker.io";

    /// <summary>
    /// The registry an image reference is pulled from, as Docker decides: the first path component when it holds a '.'
    /// or a ':' or is "localhost", else Docker Hub; normalised (<see cref="NormalizeServer"/>).
    /// </summary>
    public static string RegistryOf(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var slash = image.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return DockerHub;
        }

        var first = image[..slash];
        return first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost" ? NormalizeServer(first) : DockerHub;
    }

    /// <summary>A registry server as written by people, compared as Docker does: "https://index.docker.io/v1/" → "docker.io", "Registry.Example.com/" → "registry.example.com".</summary>
    public static string NormalizeServer(string server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var value = server.Trim();
        var scheme = value.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            value = value[(scheme + 3)..];
        }

        var path = value.IndexOf('/', StringComparison.Ordinal);
        if (path >= 0)
        {
            value = value[..path];
        }

        value = value.ToLowerInvariant();
        return value is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" ? DockerHub : value;
    }

    /// <summary>Whether these credentials are for the registry <paramref name="image"/> is pulled from (they are never sent to another).</summary>
    public bool IsFor(string image) => NormalizeServer(Server) == RegistryOf(image);

    /// <inheritdoc />
    public override string ToString() => $"{Server} as {Username} (password hidden)";
}

/// <summary>CPU in millicores (1000 = one core) and memory in MiB; the driver enforces both.</summary>
public sealed record PodResources(int CpuMillicores, int MemoryMb);

/// <summary>
/// The persisted, versioned reference to a pod: what makes recovery after a restart and orphan detection possible.
/// Opaque to everyone but the driver that made it.
/// </summary>
/// <param name="Driver">The driver's <see cref="IPodDriver.Name"/>.</param>
/// <param name="PodId">The driver's id of the pod (container id, sandbox id).</param>
/// <param name="StateVersion">The version of <paramref name="DriverState"/>'s format, so a newer driver can read an older handle.</param>
/// <param name="DriverState">Whatever the driver needs to re-attach (JSON), at most 4 KiB.</param>
/// <param name="Labels">The pod's labels, as started or as listed.</param>
public sealed record PodHandle(
    string Driver,
    string PodId,
    int StateVersion,
    string DriverState,
    IReadOnlyDictionary<string, string> Labels);

/// <summary>The lifecycle state a driver observed.</summary>
public enum PodState
{
    /// <summary>Created, main process not started yet (pulling an image, for instance).</summary>
    Pending,

    /// <summary>The main process runs.</summary>
    Running,

    /// <summary>The main process has exited; <see cref="PodStatus.Exit"/> says how.</summary>
    Exited,

    /// <summary>The driver does not know the pod (destroyed, or removed behind Poddle's back).</summary>
    NotFound,
}

/// <summary>What a driver observed of a pod.</summary>
/// <param name="State">Lifecycle state.</param>
/// <param name="StartedAt">When the main process started, when known.</param>
/// <param name="FinishedAt">When it exited, when it has.</param>
/// <param name="Exit">How it exited, when it has.</param>
/// <param name="Endpoint">Where the pod's port is reachable from the server (for probes and the proxy), while running.</param>
public sealed record PodStatus(
    PodState State,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    ExitResult? Exit,
    PodEndpoint? Endpoint)
{
    /// <summary>The status of a pod the driver does not know.</summary>
    public static PodStatus NotFound { get; } = new(PodState.NotFound, null, null, null, null);
}

/// <summary>A host and port the server can connect to (127.0.0.1:41234, or a container's bridge address).</summary>
public sealed record PodEndpoint(string Host, int Port)
{
    /// <inheritdoc />
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

/// <summary>How a pod's main process ended.</summary>
/// <param name="ExitCode">Its exit code; 128 + signal when a signal killed it (shell convention), -1 when unknown.</param>
/// <param name="Signal">The signal that killed it, when one did (9 for SIGKILL).</param>
/// <param name="OomKilled">The kernel's OOM killer ended it (memory limit).</param>
/// <param name="Reason">Human reason: "OOMKilled", "exit code 1", "killed by signal 9", "stopped".</param>
public sealed record ExitResult(int ExitCode, int? Signal, bool OomKilled, string Reason)
{
    /// <summary>A pod that stopped without an exit status the driver could observe (<see cref="DriverCapabilities.ExitStatus"/> false).</summary>
    public static ExitResult Unknown { get; } = new(-1, null, false, "stopped");

    /// <summary>Builds the reason text from the facts, the way every driver words it.</summary>
    public static ExitResult From(int exitCode, int? signal, bool oomKilled) => new(
        exitCode,
        signal,
        oomKilled,
        oomKilled ? "OOMKilled" : signal is { } s ? $"killed by signal {s}" : $"exit code {exitCode}");
}

/// <summary>Which log lines to read.</summary>
/// <param name="Tail">At most this many of the newest lines; all when null.</param>
/// <param name="Since">Only lines written at or after this time.</param>
/// <param name="Follow">Keep yielding new lines until the pod exits or the caller cancels.</param>
public sealed record PodLogQuery(int? Tail = null, DateTimeOffset? Since = null, bool Follow = false);

/// <summary>A line of a pod's output.</summary>
/// <param name="Timestamp">When the driver received it.</param>
/// <param name="Stream">"stdout" or "stderr".</param>
/// <param name="Text">The line without its newline; lines longer than 16 KiB are cut.</param>
public sealed record PodLogLine(DateTimeOffset Timestamp, string Stream, string Text);

/// <summary>A sample of a pod's counters. CPU and network are cumulative: rates come from two samples.</summary>
/// <param name="Timestamp">When it was read.</param>
/// <param name="CpuUsageNanoseconds">CPU time used since the pod started.</param>
/// <param name="MemoryBytes">Memory in use now.</param>
/// <param name="MemoryLimitBytes">The memory limit, when there is one.</param>
/// <param name="NetworkRxBytes">Bytes received since the pod started (null when the driver cannot tell, e.g. shared network).</param>
/// <param name="NetworkTxBytes">Bytes sent since the pod started (null when the driver cannot tell).</param>
public sealed record PodStats(
    DateTimeOffset Timestamp,
    long CpuUsageNanoseconds,
    long MemoryBytes,
    long? MemoryLimitBytes,
    long? NetworkRxBytes,
    long? NetworkTxBytes);

/// <summary>Why a driver could not do what it was asked; the controller turns these into deployment reasons.</summary>
public enum PodFailureKind
{
    /// <summary>The image does not exist locally and cannot be pulled.</summary>
    ImageNotFound,

    /// <summary>Not enough CPU, memory or ports on the host.</summary>
    InsufficientResources,

    /// <summary>The driver's engine is down or unreachable.</summary>
    DriverUnavailable,

    /// <summary>The spec asks for something this driver cannot do (an image on the sandbox driver).</summary>
    UnsupportedSpec,

    /// <summary>
    /// The provider has no machine for the spec now (RunPod: "There are no longer any instances available with the
    /// requested specifications"). Not retried as is: the caller tries its next GPU or cloud type, or backs off.
    /// </summary>
    NoCapacity,

    /// <summary>Anything else; the message says what.</summary>
    Other,
}

/// <summary>A driver operation that failed for a reason the caller should record (never with secret values in the message).</summary>
public sealed class PodDriverException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PodDriverException(PodFailureKind kind, string message, Exception? innerException = null)
        : base(message, innerException) => Kind = kind;

    /// <summary>Creates an exception of kind <see cref="PodFailureKind.Other"/>.</summary>
    public PodDriverException()
        : this(PodFailureKind.Other, "The pod driver failed.")
    {
    }

    /// <summary>Creates an exception of kind <see cref="PodFailureKind.Other"/>.</summary>
    public PodDriverException(string message)
        : this(PodFailureKind.Other, message)
    {
    }

    /// <summary>Creates an exception of kind <see cref="PodFailureKind.Other"/>.</summary>
    public PodDriverException(string message, Exception innerException)
        : this(PodFailureKind.Other, message, innerException)
    {
    }

    /// <summary>Why it failed.</summary>
    public PodFailureKind Kind { get; }
}

/// <summary>How a command run in a pod (<see cref="IPodExec"/>) ended.</summary>
/// <param name="ExitCode">Its exit code; -1 when it timed out.</param>
/// <param name="Output">The start of its output (stdout and stderr as they came), at most <see cref="MaxOutputChars"/> characters.</param>
/// <param name="OutputTruncated">It wrote more than <see cref="Output"/> holds.</param>
/// <param name="TimedOut">Still running when the timeout passed.</param>
public sealed record PodExecResult(int ExitCode, string Output, bool OutputTruncated, bool TimedOut)
{
    /// <summary>The most output kept.</summary>
    public const int MaxOutputChars = 4096;
}
