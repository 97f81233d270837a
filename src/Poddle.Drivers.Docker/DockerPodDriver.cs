using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Docker;

/// <summary>
/// Runs pods as Docker Engine containers (driver "docker"). Stateless: every operation asks the engine by container
/// id, so a restarted server re-attaches by listing containers by their labels. Containers run with restart policy
/// "no" (Poddle restarts pods itself), locked down (<see cref="ApplyHardening"/>: no capabilities, no-new-privileges,
/// a pids limit, capped logs), memory = memory+swap (no swap, so going over the limit is an OOM kill the engine
/// reports), NanoCPUs for CPU, and docker-init as PID 1 when the engine has it. Split by concern: containers
/// (.Containers.cs), images and registries (.Images.cs), logs and kept previous containers (.Logs.cs), exec
/// (.Exec.cs), the host's address as pods see it (.HostAddress.cs).
/// </summary>
public sealed partial class DockerPodDriver : IPodDriver, IPodLogSource, IPodStatsSource, IPodExec, IPodHostAddressSource, IPodLogRetention, IAsyncDisposable
{
    /// <summary>The driver's name in every <see cref="PodHandle"/>.</summary>
    public const string DriverName = PodDriverNames.Docker;

    /// <summary>The version of <see cref="PodHandle.DriverState"/>'s format.</summary>
    public const int StateVersion = 1;

    private const int MaxLineChars = 16 * 1024;

    private readonly DockerDriverOptions _options;
    private readonly DockerClient _client;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private bool? _useInit;
    private volatile string? _hostAddress;

    /// <summary>Creates the driver; nothing is asked of the engine until the first call.</summary>
    public DockerPodDriver(DockerDriverOptions options, ILogger<DockerPodDriver>? logger = null, TimeProvider? timeProvider = null)
    {
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _useInit = options.UseInit;
        _client = new DockerClientBuilder().WithEndpoint(options.Endpoint).Build();
    }

    /// <inheritdoc />
    public string Name => DriverName;

    /// <inheritdoc />
    public DriverCapabilities Capabilities => new(
        Images: true,
        Commands: true,
        Gpu: false,
        NetworkIsolation: IsolatesTenants,
        Logs: true,
        Stats: true,
        Signals: true,
        Exec: true)
    {
        Security = PodSecurityFeatures.ReadOnlyRootFilesystem | PodSecurityFeatures.RunAsNonRoot | PodSecurityFeatures.User | PodSecurityFeatures.AddCapabilities,
    };

    /// <inheritdoc />
    public async Task<DriverHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.System.PingAsync(cancellationToken);
            var version = await _client.System.GetVersionAsync(cancellationToken);
            return new DriverHealth(true, $"docker {version.Version} (API {version.APIVersion}) at {_options.Endpoint}");
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken) || ex is DockerApiException)
        {
            return new DriverHealth(false, $"docker: {DescribeUnavailable(ex)} at {_options.Endpoint}");
        }
    }

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

    /// <inheritdoc />
    public async Task<PodStats?> GetStatsAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        CheckHandle(handle);
        return await CallAsync(async () =>
        {
            var container = await TryInspectLiveAsync(handle.PodId, cancellationToken);
            if (container?.State is not { Running: true })
            {
                return null;
            }

            var sample = new LastValue<ContainerStatsResponse>();
            try
            {
                // One sample, without the engine's second read for a CPU percentage: Poddle computes rates from two samples.
                await _client.Containers.GetContainerStatsAsync(handle.PodId, new ContainerStatsParameters { Stream = false, OneShot = true }, sample, cancellationToken);
            }
            catch (DockerContainerNotFoundException)
            {
                return null;
            }

            return sample.Value is { } stats ? ToStats(stats, container.HostConfig?.Memory ?? 0) : null;
        });
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // This server's agent port no longer opens the host to containers (it is added again when the server returns).
        if (_firewall is not null && _options.AgentPort > 0)
        {
            await _firewall.RemoveElementsAsync(AgentPortsSet, [_options.AgentPort.ToString(CultureInfo.InvariantCulture)], CancellationToken.None);
        }

        _client.Dispose();
        _initLock.Dispose();
        foreach (var semaphore in _networkLocks.Values)
        {
            semaphore.Dispose();
        }
    }

    /// <summary>
    /// Maps the engine's exit facts to an <see cref="ExitResult"/>. The engine reports a container killed by signal N
    /// as exit code 128 + N (137 for SIGKILL, whether by docker stop, docker kill or the OOM killer) and has no separate
    /// signal field, so codes 129-192 are read as signals, the shell's own convention (an app that exits 137 by itself
    /// reads as killed by SIGKILL, as it would in a shell).
    /// </summary>
    internal static ExitResult ToExit(long exitCode, bool oomKilled)
    {
        var code = (int)exitCode;
        int? signal = code is > 128 and <= 128 + 64 ? code - 128 : null;
        return ExitResult.From(code, signal, oomKilled);
    }

    private static ExitResult ToExit(State? state) => ToExit(state?.ExitCode ?? -1, state?.OOMKilled ?? false);

    private PodStatus ToStatus(ContainerInspectResponse container)
    {
        var state = container.State;
        var startedAt = ParseTime(state?.StartedAt);
        var finishedAt = ParseTime(state?.FinishedAt);
        switch (state?.Status)
        {
            case "created":
                return new PodStatus(PodState.Pending, null, null, null, null);
            case "running" or "paused" or "restarting":
                return new PodStatus(PodState.Running, startedAt, null, null, Endpoint(container));
            default:
                // exited, dead, removing: the main process is gone.
                return new PodStatus(PodState.Exited, startedAt, finishedAt, ToExit(state), null);
        }
    }

    private PodEndpoint? Endpoint(ContainerInspectResponse container)
    {
        var port = container.Config?.ExposedPorts?.Keys
            .Select(k => k.Split('/')[0])
            .Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : (int?)null)
            .FirstOrDefault(p => p is not null);
        if (port is not { } containerPort)
        {
            return null;
        }

        var portKey = $"{containerPort}/tcp";
        if (container.NetworkSettings?.Ports is { } ports && ports.TryGetValue(portKey, out var bindings) && bindings?.FirstOrDefault(b => !string.IsNullOrEmpty(b.HostPort)) is { } binding)
        {
            // Published: the engine chose the host port when the container started.
            var host = string.IsNullOrEmpty(binding.HostIP) || binding.HostIP is "0.0.0.0" ? "127.0.0.1" : binding.HostIP is "::" ? "::1" : binding.HostIP;
            return new PodEndpoint(host, int.Parse(binding.HostPort, CultureInfo.InvariantCulture));
        }

        if (container.HostConfig?.NetworkMode is "host")
        {
            return new PodEndpoint("127.0.0.1", containerPort);
        }

        var networks = container.NetworkSettings?.Networks;
        var address = networks is null
            ? null
            : networks.TryGetValue(_options.Network, out var preferred) && !string.IsNullOrEmpty(preferred.IPAddress)
                ? preferred.IPAddress
                : networks.Values.Select(n => n.IPAddress).FirstOrDefault(ip => !string.IsNullOrEmpty(ip));
        return address is null ? null : new PodEndpoint(address, containerPort);
    }

    private static PodStats ToStats(ContainerStatsResponse stats, long memoryLimit)
    {
        var memory = stats.MemoryStats;
        var usage = (long)(memory?.Usage ?? 0);

        // Like `docker stats`: the page cache the kernel can drop is not the app's memory (cgroup v1, then v2 names).
        if (memory?.Stats is { } counters)
        {
            if (counters.TryGetValue("total_inactive_file", out var inactiveV1) && (long)inactiveV1 < usage)
            {
                usage -= (long)inactiveV1;
            }
            else if (counters.TryGetValue("inactive_file", out var inactiveV2) && (long)inactiveV2 < usage)
            {
                usage -= (long)inactiveV2;
            }
        }

        long? rx = null;
        long? tx = null;
        if (stats.Networks is { Count: > 0 } networks)
        {
            rx = networks.Values.Sum(n => (long)n.RxBytes);
            tx = networks.Values.Sum(n => (long)n.TxBytes);
        }

        var read = stats.Read == default ? DateTimeOffset.UtcNow : new DateTimeOffset(DateTime.SpecifyKind(stats.Read, DateTimeKind.Utc));
        return new PodStats(
            read,
            (long)(stats.CPUStats?.CPUUsage?.TotalUsage ?? 0),
            usage,
            memoryLimit > 0 ? memoryLimit : null,
            rx,
            tx);
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

    private async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (PodDriverException)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex) when (IsUnavailable(ex, CancellationToken.None))
        {
            throw new PodDriverException(PodFailureKind.DriverUnavailable, $"docker engine unreachable at {_options.Endpoint}: {DescribeUnavailable(ex)}", ex);
        }
        catch (DockerApiException ex) when (IsResourceError(ex))
        {
            throw new PodDriverException(PodFailureKind.InsufficientResources, $"docker: {Describe(ex)}", ex);
        }
        catch (DockerApiException ex)
        {
            throw new PodDriverException(PodFailureKind.Other, $"docker: {Describe(ex)}", ex);
        }
    }

    private static bool IsUnavailable(Exception ex, CancellationToken cancellationToken) =>
        ex is HttpRequestException or SocketException or IOException or TimeoutException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        || (ex is DockerApiException { StatusCode: HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway });

    private static bool IsResourceError(DockerApiException ex) =>
        ex.ResponseBody is { } body
        && (body.Contains("Range of CPUs", StringComparison.OrdinalIgnoreCase)
            || body.Contains("port is already allocated", StringComparison.OrdinalIgnoreCase)
            || body.Contains("Minimum memory limit", StringComparison.OrdinalIgnoreCase)
            || body.Contains("cannot allocate memory", StringComparison.OrdinalIgnoreCase));

    private static string Describe(Exception ex)
    {
        if (ex is DockerApiException api)
        {
            // The engine's message is JSON ({"message": "..."}); it names ids and images, never env values.
            try
            {
                using var doc = JsonDocument.Parse(api.ResponseBody ?? string.Empty);
                if (doc.RootElement.TryGetProperty("message", out var message) && message.GetString() is { } text)
                {
                    return text;
                }
            }
            catch (JsonException)
            {
            }

            return $"HTTP {(int)api.StatusCode}";
        }

        var innermost = ex;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return innermost.Message;
    }

    private string DescribeUnavailable(Exception ex) =>
        _options.Endpoint.IsUnc || !_options.Endpoint.Scheme.Equals("unix", StringComparison.OrdinalIgnoreCase) || File.Exists(_options.Endpoint.AbsolutePath)
            ? Describe(ex)
            : $"no socket at {_options.Endpoint.AbsolutePath} (is dockerd running?)";

    private static PodDriverException NotFound(PodHandle handle, Exception? inner) =>
        new(PodFailureKind.Other, $"docker: no container {handle.PodId}", inner);

    private static void CheckHandle(PodHandle handle)
    {
        if (handle.Driver != DriverName)
        {
            throw new PodDriverException(PodFailureKind.UnsupportedSpec, $"a handle of driver '{handle.Driver}' given to the docker driver");
        }
    }

    private static DateTimeOffset? ParseTime(string? value) =>
        DockerLogReader.TryParseTimestamp(value, out var time) && time.Year > 1
            ? time
            : null;

    private static string FormatUnixTime(DateTimeOffset time)
    {
        // The engine's "seconds.nanoseconds".
        var seconds = Math.DivRem(time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks, TimeSpan.TicksPerSecond, out var ticks);
        return string.Create(CultureInfo.InvariantCulture, $"{seconds}.{ticks * 100:D9}");
    }

    private static string NameOf(ContainerListResponse container) => container.Names?.FirstOrDefault()?.TrimStart('/') ?? container.ID;

    private static string SerializeState(string name) => JsonSerializer.Serialize(new DockerPodState(name), DockerStateJsonContext.Default.DockerPodState);

    [LoggerMessage(Level = LogLevel.Warning, Message = "docker: removing container {Id} after a failed start failed: {Detail}")]
    private static partial void LogCleanupFailed(ILogger logger, string id, string detail);
}

/// <summary>An <see cref="IProgress{T}"/> that keeps the last report, synchronously (Progress&lt;T&gt; posts to the thread pool and may report after the call returned).</summary>
internal sealed class LastValue<T> : IProgress<T>
{
    public T? Value { get; private set; }

    public void Report(T value) => Value = value;
}

/// <summary>What a docker <see cref="PodHandle.DriverState"/> holds (version 1): the container's name, for people.</summary>
internal sealed record DockerPodState(string Name);

[JsonSerializable(typeof(DockerPodState))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class DockerStateJsonContext : JsonSerializerContext;
