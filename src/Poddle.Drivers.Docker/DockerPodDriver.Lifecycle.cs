using System.Net;
using System.Runtime.CompilerServices;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Docker;

// The pod's life on the engine: create and start (retried once when the tenant's network went away meanwhile),
// re-attach, inspect, list by labels, wait, stop and destroy; every call by container id.
public sealed partial class DockerPodDriver
{
    /// <inheritdoc />
    public async Task<PodHandle> StartAsync(PodSpec spec, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(spec.Image))
        {
            throw new PodDriverException(PodFailureKind.UnsupportedSpec, "the docker driver runs images: the spec has none");
        }

        if (spec.SourceDirectory is not null)
        {
            throw new PodDriverException(PodFailureKind.UnsupportedSpec, "the docker driver does not mount source directories: build them into the image");
        }

        CheckSecurity(spec.Security);
        return await CallAsync(async () =>
        {
            await EnsureGpusAsync(spec, cancellationToken);
            var image = await EnsureImageAsync(spec.Image, spec.RegistryAuth, cancellationToken);
            var user = UserOf(spec.Image, spec.Security.User, image.Config?.User);
            if (spec.Security.RunAsNonRoot && user.IsRoot)
            {
                throw RunsAsRoot(user);
            }

            var owner = NetworkTenant(spec.Labels);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await CreateAndStartAsync(spec, user, owner, cancellationToken);
                }
                catch (DockerApiException ex) when (owner is not null && attempt < 3 && IsNetworkGone(ex))
                {
                    // Another server removed the owner's network with its last pod just now: make it again.
                    LogNetworkGone(_logger, spec.Name);
                }
            }
        });
    }

    private async Task<PodHandle> CreateAndStartAsync(PodSpec spec, ContainerUser user, string? owner, CancellationToken cancellationToken)
    {
        using var networkHeld = await LockNetworkAsync(owner is null ? null : TenantNetworkNames(owner).Network, cancellationToken);
        var parameters = await CreateParametersAsync(spec, await NetworkForAsync(owner, cancellationToken), cancellationToken);
        CreateContainerResponse created;
        try
        {
            created = await _client.Containers.CreateContainerAsync(parameters, cancellationToken);
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound && Describe(ex).Contains("image", StringComparison.OrdinalIgnoreCase))
        {
            // Removed between the check above and the create.
            throw new PodDriverException(PodFailureKind.ImageNotFound, $"image {spec.Image} was removed from the engine while the pod was being created; deploy again", ex);
        }

        try
        {
            if (spec.Security.RunAsNonRoot && user.Name is not null)
            {
                // A user name: only the image's /etc/passwd says which uid it is (read before anything runs).
                await CheckNamedUserAsync(created.ID, user, cancellationToken);
            }

            await _client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken);
        }
        catch (Exception)
        {
            // Nothing is left behind: a container that was created but could not start is removed.
            await RemoveQuietlyAsync(created.ID);
            throw;
        }

        return new PodHandle(DriverName, created.ID, StateVersion, SerializeState(parameters.Name ?? created.ID), new Dictionary<string, string>(spec.Labels));
    }

    /// <inheritdoc />
    public async Task RecoverAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        CheckHandle(handle);

        // Nothing to re-attach to: every call goes to the engine by id. Touching the engine here makes a driver that
        // cannot reach it say so at once (a pod that is gone is not an error: InspectAsync says NotFound).
        await CallAsync(async () =>
        {
            await TryInspectLiveAsync(handle.PodId, cancellationToken);
            return true;
        });
    }

    /// <inheritdoc />
    public async Task<PodStatus> InspectAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        CheckHandle(handle);
        return await CallAsync(async () =>
        {
            var container = await TryInspectLiveAsync(handle.PodId, cancellationToken);
            return container is null ? PodStatus.NotFound : ToStatus(container);
        });
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<PodHandle> ListAsync(IReadOnlyDictionary<string, string> labels, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = labels.ToDictionary(l => $"{l.Key}={l.Value}", _ => true);
        var containers = await CallAsync(() => _client.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = filter },
            },
            cancellationToken));
        var kept = new List<ContainerListResponse>();
        var liveReplicas = new HashSet<string>(StringComparer.Ordinal);
        foreach (var container in containers)
        {
            // The engine filters already; checking again guards against an engine that ignores an unknown filter.
            var containerLabels = container.Labels ?? new Dictionary<string, string>();
            if (!labels.All(l => containerLabels.TryGetValue(l.Key, out var value) && value == l.Value))
            {
                continue;
            }

            var name = NameOf(container);
            if (IsKeptPrevious(name))
            {
                // Destroyed for a restart, kept for its logs only: not a pod any more.
                kept.Add(container);
                continue;
            }

            if (containerLabels.TryGetValue(PodLabels.Replica, out var replica))
            {
                liveReplicas.Add(replica);
            }

            yield return new PodHandle(DriverName, container.ID, StateVersion, SerializeState(name), new Dictionary<string, string>(containerLabels));
        }

        await RemoveAbandonedPreviousAsync(kept, liveReplicas, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<ExitResult> WaitAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        CheckHandle(handle);
        return await CallAsync(async () =>
        {
            if (await TryInspectLiveAsync(handle.PodId, cancellationToken) is null)
            {
                throw NotFound(handle, null);
            }

            try
            {
                // Returns at once for a container that has exited; the exit code is in the inspect below as well.
                await _client.Containers.WaitContainerAsync(handle.PodId, cancellationToken);
            }
            catch (DockerContainerNotFoundException ex)
            {
                throw NotFound(handle, ex);
            }

            var container = await TryInspectLiveAsync(handle.PodId, cancellationToken) ?? throw NotFound(handle, null);
            return ToExit(container.State);
        });
    }

    /// <inheritdoc />
    public async Task StopAsync(PodHandle handle, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        CheckHandle(handle);
        var seconds = (uint)Math.Clamp(Math.Ceiling(gracePeriod.TotalSeconds), 0, int.MaxValue);
        await CallAsync(async () =>
        {
            if (await TryInspectLiveAsync(handle.PodId, cancellationToken) is null)
            {
                // Idempotent: stopping an unknown (or destroyed, kept for its logs) pod does nothing.
                return true;
            }

            try
            {
                // SIGTERM (the image's stop signal), SIGKILL after the grace period; false (304) when it was not running.
                await _client.Containers.StopContainerAsync(handle.PodId, new ContainerStopParameters { WaitBeforeKillSeconds = seconds }, cancellationToken);
            }
            catch (DockerContainerNotFoundException)
            {
                // Idempotent: stopping an unknown pod does nothing.
            }

            return true;
        });
    }

    /// <inheritdoc />
    public async Task DestroyAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        CheckHandle(handle);
        await CallAsync(async () =>
        {
            // The network it is on, read before it goes: an tenant network without containers goes with it.
            var network = (await TryInspectAsync(handle.PodId, cancellationToken))?.HostConfig?.NetworkMode;
            await RemoveAsync(handle.PodId, cancellationToken);
            if (handle.Labels.TryGetValue(PodLabels.Replica, out var replica))
            {
                // The replica is gone for good: so are the containers kept for its logs.
                foreach (var previous in await ListKeptPreviousAsync(replica, cancellationToken))
                {
                    await RemoveAsync(previous.ID, cancellationToken);
                }
            }

            await RemoveTenantNetworkIfUnusedAsync(network, cancellationToken);
            return true;
        });
    }

    private async Task<ContainerInspectResponse?> TryInspectAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.Containers.InspectContainerAsync(id, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>The container, unless it is gone or only kept for its logs (destroyed for a restart): then null.</summary>
    private async Task<ContainerInspectResponse?> TryInspectLiveAsync(string id, CancellationToken cancellationToken)
    {
        var container = await TryInspectAsync(id, cancellationToken);
        return container is null || IsKeptPrevious(container.Name?.TrimStart('/') ?? string.Empty) ? null : container;
    }

    private async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, cancellationToken);
                return;
            }
            catch (DockerContainerNotFoundException)
            {
                return;
            }
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return;
            }
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.Conflict && attempt < 50)
            {
                // "removal already in progress" (a concurrent destroy): wait until it is gone, so destroy means gone.
                await Task.Delay(TimeSpan.FromMilliseconds(100), _time, cancellationToken);
            }
        }
    }

    private async Task RemoveQuietlyAsync(string id)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await RemoveAsync(id, cts.Token);
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or OperationCanceledException)
        {
            LogCleanupFailed(_logger, id, Describe(ex));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "docker: removing container {Id} after a failed start failed: {Detail}")]
    private static partial void LogCleanupFailed(ILogger logger, string id, string detail);
}
