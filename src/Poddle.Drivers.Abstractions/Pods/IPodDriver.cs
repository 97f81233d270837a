namespace Poddle.Drivers.Abstractions.Pods;

/// <summary>
/// Starts, recovers, inspects, stops and destroys pods on one kind of infrastructure (after Nomad's task driver).
/// The seam between the deployment controller (Core) and where workloads really run: the local sandbox, Docker
/// Engine, Kubernetes, RunPod. Implementations are thread-safe. Every pod a driver starts carries the labels of its
/// <see cref="PodSpec"/> (at least <see cref="PodLabels.Owner"/>, <see cref="PodLabels.Kind"/>, <see cref="PodLabels.Id"/>),
/// so <see cref="ListAsync"/> finds it again after a server restart and unknown pods can be reported as orphans.
/// Optional abilities are separate interfaces: <see cref="IPodLogSource"/>, <see cref="IPodStatsSource"/>.
/// </summary>
public interface IPodDriver
{
    /// <summary>"sandbox" | "docker" | "kubernetes" | "runpod"; stored in every <see cref="PodHandle"/>.</summary>
    string Name { get; }

    /// <summary>What this driver can do, said up front so the API can refuse a spec it cannot run.</summary>
    DriverCapabilities Capabilities { get; }

    /// <summary>Whether the driver can start pods now (engine reachable, sandbox usable), and why not.</summary>
    Task<DriverHealth> CheckHealthAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Creates and starts a pod. Returns once the driver has started it (not once the app is ready: readiness is the
    /// controller's probe). Throws <see cref="PodDriverException"/> with a <see cref="PodFailureKind"/> when it cannot
    /// (image missing, not enough resources, driver down, a spec it does not support); nothing is left behind then.
    /// </summary>
    Task<PodHandle> StartAsync(PodSpec spec, CancellationToken cancellationToken);

    /// <summary>
    /// Re-attaches to a pod started by an earlier process (after a server restart) without restarting it: afterwards
    /// <see cref="InspectAsync"/>, <see cref="WaitAsync"/>, logs and stats work as for a pod this process started.
    /// A pod that is gone is not an error here: <see cref="InspectAsync"/> then says <see cref="PodState.NotFound"/>.
    /// </summary>
    Task RecoverAsync(PodHandle handle, CancellationToken cancellationToken);

    /// <summary>The pod's observed state: running, exited (with its <see cref="ExitResult"/>) or not found.</summary>
    Task<PodStatus> InspectAsync(PodHandle handle, CancellationToken cancellationToken);

    /// <summary>Every pod of this driver whose labels include all of <paramref name="labels"/> (running or exited, not destroyed).</summary>
    IAsyncEnumerable<PodHandle> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken);

    /// <summary>Completes when the pod's main process has exited: exit code, signal, OOM-killed. At once for an exited pod.</summary>
    Task<ExitResult> WaitAsync(PodHandle handle, CancellationToken cancellationToken);

    /// <summary>
    /// Asks the pod to stop (SIGTERM), and kills it (SIGKILL) after <paramref name="gracePeriod"/>. Idempotent: stopping
    /// an exited or unknown pod does nothing. The pod still exists (logs readable) until <see cref="DestroyAsync"/>.
    /// </summary>
    Task StopAsync(PodHandle handle, TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>Removes the pod and everything the driver made for it (kills it first if needed). Idempotent.</summary>
    Task DestroyAsync(PodHandle handle, CancellationToken cancellationToken);
}

/// <summary>Optional: the pod's output (stdout and stderr), kept by the driver.</summary>
public interface IPodLogSource
{
    /// <summary>
    /// The last <see cref="PodLogQuery.Tail"/> lines (all when null) written at or after <see cref="PodLogQuery.Since"/>,
    /// oldest first; with <see cref="PodLogQuery.Follow"/> it then keeps yielding new lines until the pod exits or
    /// <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    IAsyncEnumerable<PodLogLine> ReadLogsAsync(PodHandle handle, PodLogQuery query, CancellationToken cancellationToken);
}

/// <summary>Optional: resource use of a running pod.</summary>
public interface IPodStatsSource
{
    /// <summary>One sample of the pod's counters; null when the pod is not running.</summary>
    Task<PodStats?> GetStatsAsync(PodHandle handle, CancellationToken cancellationToken);
}

/// <summary>Optional: the address pods of this driver reach the host (and so the server) at.</summary>
public interface IPodHostAddressSource
{
    /// <summary>
    /// The host's address as pods see it ("172.17.0.1" for Docker's default bridge), without a port; null when the
    /// driver cannot tell now (engine down). Cheap after the first success (cached).
    /// </summary>
    Task<string?> GetHostAddressAsync(CancellationToken cancellationToken);
}
