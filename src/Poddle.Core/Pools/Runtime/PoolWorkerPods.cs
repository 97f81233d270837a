using Microsoft.Extensions.Options;
using Poddle.Core.Agents;
using Poddle.Core.Deployments;
using Poddle.Core.Pools.Gpus;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Pools.Runtime;

/// <summary>
/// The pod side of a worker, as <see cref="ReplicaPods"/> is a replica's: builds the <see cref="PodSpec"/> from the
/// pool's worker spec (image, or command + source bundle; the pool's env and secrets and RunPod's worker variables
/// from <see cref="PoolWorkerProtocol.CreateWorkerAsync"/>; resources; labels with the installation and the owner as
/// tenant, so the Docker driver puts each user's workers on their own network), starts, stops and destroys it.
/// Workers reach this server at the agent listener's address (<see cref="AgentServerAddress"/>, the one port pods may
/// open), which serves the worker protocol's paths besides heartbeats (docs/security.md). Never logs env or keys.
/// </summary>
public sealed class PoolWorkerPods(
    ControllerStore store,
    SourceBundleStore sources,
    AgentServerAddress server,
    PoolWorkerProtocol protocol,
    IOptions<DeploymentOptions> deploymentOptions)
{
    /// <summary>The <see cref="PodLabels.Kind"/> of workers' pods.</summary>
    public const string PodKind = "pool-worker";

    /// <summary>The labels every worker pod of this installation carries (what the orphan sweep lists by).</summary>
    public async Task<Dictionary<string, string>> InstallationLabelsAsync(CancellationToken cancellationToken) => new(StringComparer.Ordinal)
    {
        [PodLabels.Owner] = await store.GetInstallationIdAsync(cancellationToken),
        [PodLabels.Kind] = PodKind,
    };

    /// <summary>The persisted handle of a worker's pod; null without one.</summary>
    public async Task<PodHandle?> HandleAsync(PoolWorker worker, CancellationToken cancellationToken) =>
        worker.PodId is null ? null : new PodHandle(worker.Driver, worker.PodId, worker.PodStateVersion, worker.PodState ?? string.Empty, await LabelsAsync(worker, cancellationToken));

    /// <summary>
    /// Registers the worker (its key) and starts its pod; the row gets the handle. A GPU pool's pod is placed at the
    /// first of the pool's (GPU type, cloud type) candidates the provider has a machine for: a start refused with
    /// <see cref="PodFailureKind.NoCapacity"/> tries the next one (the answer lists those refused and the one used).
    /// Throws <see cref="PodDriverException"/> when the driver cannot (nothing left behind then; of kind NoCapacity,
    /// naming every candidate, when none had a machine), <see cref="InvalidOperationException"/> when no address for
    /// the server is known for this driver's pods.
    /// </summary>
    public async Task<PoolWorkerStart> StartAsync(IPodDriver driver, Pool pool, PoolWorker worker, CancellationToken cancellationToken)
    {
        var address = await server.ForAsync(driver, cancellationToken)
            ?? throw new InvalidOperationException($"No address of this server is known for {driver.Name} pods (Agents:PublicUrl, Agents:ServerUrl).");
        var env = await protocol.CreateWorkerAsync(pool.Id, worker.WorkerId, new Uri(address), cancellationToken);
        if (!env.IsSuccess)
        {
            throw new InvalidOperationException(env.Error.Message);
        }

        var spec = PoolWorkerSpec.Deserialize(pool.SpecJson);
        var directory = spec.SourceId is { } sourceId ? await sources.PrepareDirectoryAsync(sourceId, cancellationToken) : null;
        var labels = await LabelsAsync(worker, cancellationToken);
        labels[PodLabels.Tenant] = pool.OwnerId.ToString("N");
        var podSpec = new PodSpec(
            $"{pool.Name}-w{worker.WorkerId[^ReplicaShortId.Length..]}",
            labels,
            spec.Image,
            spec.Command,
            directory,
            env.Value,
            null,
            new PodResources(spec.Resources.CpuMillicores, spec.Resources.MemoryMb))
        {
            Storage = spec.Storage,
        };

        if (spec.Gpu is null)
        {
            Attach(worker, await driver.StartAsync(podSpec, cancellationToken));
            return new PoolWorkerStart(null, []);
        }

        var refused = new List<PoolGpuPlacement>();
        foreach (var candidate in spec.Gpu.Candidates())
        {
            try
            {
                Attach(worker, await driver.StartAsync(spec.Gpu.ApplyTo(podSpec, candidate), cancellationToken));
                return new PoolWorkerStart(candidate, refused);
            }
            catch (PodDriverException ex) when (ex.Kind == PodFailureKind.NoCapacity)
            {
                refused.Add(candidate);
            }
        }

        throw new PodDriverException(PodFailureKind.NoCapacity, $"no capacity at {driver.Name} for any of the pool's GPU placements: {string.Join(", ", refused)}");
    }

    /// <summary>Stops (grace period, then kill) and destroys a worker's pod, when it has one; a pod already gone is fine.</summary>
    public async Task EndAsync(IPodDriver driver, PoolWorker worker, CancellationToken cancellationToken)
    {
        if (await HandleAsync(worker, cancellationToken) is not { } handle)
        {
            return;
        }

        await driver.StopAsync(handle, deploymentOptions.Value.StopGracePeriod, cancellationToken);
        await driver.DestroyAsync(handle, cancellationToken);
    }

    private static void Attach(PoolWorker worker, PodHandle handle)
    {
        worker.PodId = handle.PodId;
        worker.PodStateVersion = handle.StateVersion;
        worker.PodState = handle.DriverState;
    }

    private async Task<Dictionary<string, string>> LabelsAsync(PoolWorker worker, CancellationToken cancellationToken)
    {
        var labels = await InstallationLabelsAsync(cancellationToken);
        labels[PodLabels.Id] = worker.PoolId.ToString("N");
        labels[PodLabels.Replica] = worker.WorkerId;
        return labels;
    }
}
