using System.Globalization;
using Docker.DotNet;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Docker;

/// <summary>
/// Runs pods as Docker Engine containers (driver "docker"). Stateless: every operation asks the engine by container
/// id, so a restarted server re-attaches by listing containers by their labels. Containers run with restart policy
/// "no" (Poddle restarts pods itself), locked down (<see cref="ApplyHardening"/>: no capabilities, no-new-privileges,
/// a pids limit, capped logs), memory = memory+swap (no swap, so going over the limit is an OOM kill the engine
/// reports), NanoCPUs for CPU, and docker-init as PID 1 when the engine has it. Split by concern: start, stop and
/// destroy (.Lifecycle.cs), the container's parameters and hardening (.Containers.cs), images and registries
/// (.Images.cs), the engine's state, exit and stats in the contract's terms (.Mapping.cs), engine failures as
/// <see cref="PodDriverException"/>s (.Errors.cs), stats (.Stats.cs), logs and kept previous containers (.Logs.cs),
/// exec (.Exec.cs), tenant networks and their firewall (.Networks.cs), GPUs through the nvidia runtime (.Gpus.cs), the host's address as pods see it (.HostAddress.cs).
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
        Gpu: HasNvidiaRuntime == true,
        NetworkIsolation: IsolatesTenants,
        Logs: true,
        Stats: true,
        Signals: true,
        Exec: true)
    {
        Security = PodSecurityFeatures.ReadOnlyRootFilesystem | PodSecurityFeatures.RunAsNonRoot | PodSecurityFeatures.User | PodSecurityFeatures.AddCapabilities,
        Hardware = HasNvidiaRuntime == true ? PodHardwareFeatures.Gpu : PodHardwareFeatures.None,
    };

    /// <inheritdoc />
    public async Task<DriverHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.System.PingAsync(cancellationToken);
            var version = await _client.System.GetVersionAsync(cancellationToken);
            await DetectNvidiaRuntimeAsync(cancellationToken);
            return new DriverHealth(true, $"docker {version.Version} (API {version.APIVersion}) at {_options.Endpoint}");
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken) || ex is DockerApiException)
        {
            return new DriverHealth(false, $"docker: {DescribeUnavailable(ex)} at {_options.Endpoint}");
        }
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
}
