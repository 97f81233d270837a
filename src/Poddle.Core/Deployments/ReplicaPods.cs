using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Deployments;

/// <summary>
/// The pod side of a replica, shared by the converge job, the health monitor and the reconciler: builds the
/// <see cref="PodSpec"/> from a revision (spec, decrypted secrets as env, PORT, resources, labels, source directory),
/// starts a pod for a replica row (adopting one already started for it) with a fresh agent token, stops and destroys
/// it, and turns driver failures into reasons. Changes rows in the caller's unit of work; the caller saves (the agent
/// token alone is saved at once, before its pod starts). Never logs env, secrets or tokens.
/// </summary>
public sealed class ReplicaPods(
    ControllerStore store,
    SecretProtector secrets,
    SourceBundleStore sources,
    IPodAgentEnvironment agentEnvironment,
    IOptions<DeploymentOptions> options,
    TimeProvider clock)
{
    /// <summary>The <see cref="PodLabels.Kind"/> of replicas' pods.</summary>
    public const string PodKind = "deployment";

    /// <summary>How specs are stored in <see cref="DeploymentRevision.SpecJson"/> (web defaults; reads either casing).</summary>
    public static readonly JsonSerializerOptions SpecJsonOptions = new(JsonSerializerDefaults.Web);

    public static DeploymentSpec ReadSpec(DeploymentRevision revision) =>
        JsonSerializer.Deserialize<DeploymentSpec>(revision.SpecJson, SpecJsonOptions)
        ?? throw new InvalidOperationException($"Revision {revision.Number} of deployment {revision.DeploymentId} has no spec.");

    /// <summary>Two revisions run the same thing (a rollback copies spec and secrets byte for byte): their replicas are interchangeable.</summary>
    public static bool SameConfiguration(DeploymentRevision a, DeploymentRevision b) =>
        a.Number == b.Number
        || (a.SpecJson == b.SpecJson && (a.SecretsCiphertext ?? []).AsSpan().SequenceEqual(b.SecretsCiphertext ?? []));

    /// <summary>The reason recorded for a driver failure ("image not found: web:2"); messages of drivers hold no secrets.</summary>
    public static string ReasonOf(PodDriverException ex) => ex.Kind switch
    {
        // Drivers word a missing image themselves ("image web:2 is not on this Docker Engine and ..."): no second prefix.
        PodFailureKind.ImageNotFound => ex.Message.StartsWith("image ", StringComparison.Ordinal) ? ex.Message : $"image not found: {ex.Message}",
        PodFailureKind.InsufficientResources => $"insufficient resources: {ex.Message}",
        PodFailureKind.DriverUnavailable => $"driver down: {ex.Message}",
        PodFailureKind.UnsupportedSpec => $"unsupported by the driver: {ex.Message}",
        PodFailureKind.NoCapacity => $"no capacity at the provider: {ex.Message}",
        _ => $"driver error: {ex.Message}",
    };

    /// <summary>Failures that a retry will not fix (the spec must change).</summary>
    public static bool IsPermanent(PodFailureKind kind) => kind is PodFailureKind.ImageNotFound or PodFailureKind.UnsupportedSpec;

    /// <summary>The labels of a replica's pod.</summary>
    public async Task<Dictionary<string, string>> LabelsAsync(Guid deploymentId, Guid replicaId, int revision, CancellationToken cancellationToken) => new(StringComparer.Ordinal)
    {
        [PodLabels.Owner] = await store.GetInstallationIdAsync(cancellationToken),
        [PodLabels.Kind] = PodKind,
        [PodLabels.Id] = deploymentId.ToString("N"),
        [PodLabels.Replica] = replicaId.ToString("N"),
        [PodLabels.Revision] = revision.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The labels every pod of this installation's deployments carries (what the reconciler lists by).</summary>
    public async Task<Dictionary<string, string>> InstallationLabelsAsync(CancellationToken cancellationToken) => new(StringComparer.Ordinal)
    {
        [PodLabels.Owner] = await store.GetInstallationIdAsync(cancellationToken),
        [PodLabels.Kind] = PodKind,
    };

    /// <summary>The persisted handle of the replica's pod; null without a pod.</summary>
    public async Task<PodHandle?> HandleAsync(Replica replica, CancellationToken cancellationToken) =>
        replica.PodId is null
            ? null
            : new PodHandle(replica.Driver, replica.PodId, replica.PodStateVersion, replica.PodState ?? string.Empty, await LabelsAsync(replica.DeploymentId, replica.Id, replica.Revision, cancellationToken));

    /// <summary>What to run for <paramref name="replica"/>: the revision's spec with env, secrets and PORT, resources and labels.</summary>
    public async Task<PodSpec> BuildSpecAsync(Deployment deployment, DeploymentRevision revision, Replica replica, CancellationToken cancellationToken)
    {
        var spec = ReadSpec(revision);
        var env = new Dictionary<string, string>(spec.Env, StringComparer.Ordinal);
        foreach (var (key, value) in secrets.Unprotect(revision.SecretsCiphertext))
        {
            env[key] = value;
        }

        if (spec.Port is { } port)
        {
            env["PORT"] = port.ToString(CultureInfo.InvariantCulture);
        }

        var directory = spec.SourceId is { } sourceId ? await sources.PrepareDirectoryAsync(sourceId, cancellationToken) : null;
        var name = $"{deployment.Name}-{ReplicaShortId.Of(replica.Id)}";
        var labels = await LabelsAsync(deployment.Id, replica.Id, revision.Number, cancellationToken);
        labels[PodLabels.Tenant] = deployment.OwnerId.ToString("N");
        return new PodSpec(
            name,
            labels,
            spec.Image,
            spec.Command,
            directory,
            env,
            spec.Port,
            new PodResources(spec.Resources.CpuMillicores, spec.Resources.MemoryMb))
        {
            Security = spec.Security.ToPodSecurity(),
            RegistryAuth = spec.RegistryAuth is { } auth ? new PodRegistryAuth(auth.Server, auth.Username, secrets.UnprotectValue(auth.PasswordCiphertext)) : null,
        };
    }

    /// <summary>
    /// Gives <paramref name="replica"/> a running pod: adopts a running pod already labelled with its id (a step that
    /// started it but died before saving), else starts one. Throws <see cref="PodDriverException"/> when the driver cannot;
    /// nothing is left behind then (the contract's promise).
    /// </summary>
    public async Task StartAsync(IPodDriver driver, Deployment deployment, DeploymentRevision revision, Replica replica, CancellationToken cancellationToken)
    {
        PodHandle? handle = null;
        var mine = new Dictionary<string, string>(await InstallationLabelsAsync(cancellationToken)) { [PodLabels.Replica] = replica.Id.ToString("N") };
        await foreach (var listed in driver.ListAsync(mine, cancellationToken))
        {
            if (listed.PodId == replica.PodId)
            {
                // The replica's previous pod (exited): gone before a new one starts (its logs kept where the driver can).
                await DestroyForRestartAsync(driver, listed, cancellationToken);
                continue;
            }

            await driver.RecoverAsync(listed, cancellationToken);
            var listedStatus = await driver.InspectAsync(listed, cancellationToken);
            if (handle is null && listedStatus.State == PodState.Running)
            {
                handle = listed;
            }
            else
            {
                await driver.DestroyAsync(listed, cancellationToken);
            }
        }

        if (replica.PodId is not null && await HandleAsync(replica, cancellationToken) is { } previous && previous.PodId != handle?.PodId)
        {
            await DestroyForRestartAsync(driver, previous, cancellationToken);
        }

        handle ??= await driver.StartAsync(await WithAgentAsync(driver, await BuildSpecAsync(deployment, revision, replica, cancellationToken), replica, cancellationToken), cancellationToken);
        var now = clock.GetStoredUtcNow();
        replica.PodId = handle.PodId;
        replica.PodStateVersion = handle.StateVersion;
        replica.PodState = handle.DriverState;
        replica.Phase = ReplicaPhase.Running;
        replica.Ready = false;
        replica.ReadySince = null;
        replica.ProbeFailures = 0;
        replica.NextRestartAt = null;
        replica.StartedAt = now;
        replica.UpdatedAt = now;
        var status = await driver.InspectAsync(handle, cancellationToken);
        replica.EndpointHost = status.Endpoint?.Host;
        replica.EndpointPort = status.Endpoint?.Port;
    }

    /// <summary>Adds what the pod's agent needs to report back (<see cref="IPodAgentEnvironment"/>) to a pod's spec.</summary>
    private async Task<PodSpec> WithAgentAsync(IPodDriver driver, PodSpec spec, Replica replica, CancellationToken cancellationToken)
    {
        var agent = await agentEnvironment.ForReplicaAsync(driver, replica.Id, cancellationToken);
        if (agent.Count == 0)
        {
            return spec;
        }

        var env = new Dictionary<string, string>(spec.Env, StringComparer.Ordinal);
        foreach (var (name, value) in agent)
        {
            env[name] = value;
        }

        return spec with { Env = env };
    }

    /// <summary>A replica's previous pod, destroyed for its restart: a driver that can keeps its logs for the next pod's.</summary>
    private static Task DestroyForRestartAsync(IPodDriver driver, PodHandle handle, CancellationToken cancellationToken) =>
        driver is IPodLogRetention retention ? retention.DestroyForRestartAsync(handle, cancellationToken) : driver.DestroyAsync(handle, cancellationToken);

    /// <summary>Takes the replica out of traffic, stops its pod (grace period) and destroys it; the row becomes Stopped.</summary>
    public async Task RetireAsync(IPodDriver driver, Replica replica, string reason, CancellationToken cancellationToken)
    {
        replica.Ready = false;
        replica.ReadySince = null;
        replica.Phase = ReplicaPhase.Stopping;
        if (await HandleAsync(replica, cancellationToken) is { } handle)
        {
            await driver.StopAsync(handle, options.Value.StopGracePeriod, cancellationToken);
            await driver.DestroyAsync(handle, cancellationToken);
        }

        var now = clock.GetStoredUtcNow();
        replica.Phase = ReplicaPhase.Stopped;
        replica.EndpointHost = null;
        replica.EndpointPort = null;
        replica.LastExitReason ??= reason;
        replica.LastExitAt ??= now;
        replica.UpdatedAt = now;
    }

    /// <summary>Stops a pod with the configured grace period (SIGTERM, then SIGKILL); it still exists until destroyed.</summary>
    public Task StopAsync(IPodDriver driver, PodHandle handle, CancellationToken cancellationToken) =>
        driver.StopAsync(handle, options.Value.StopGracePeriod, cancellationToken);

    /// <summary>A new replica row (Starting, no pod yet) of <paramref name="revision"/>.</summary>
    public Replica NewReplica(Deployment deployment, int revision)
    {
        var now = clock.GetStoredUtcNow();
        return new Replica
        {
            Id = Guid.CreateVersion7(now),
            DeploymentId = deployment.Id,
            Revision = revision,
            Driver = deployment.Driver,
            Phase = ReplicaPhase.Starting,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }
}
