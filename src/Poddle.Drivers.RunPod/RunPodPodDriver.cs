using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.RunPod.Api;

namespace Poddle.Drivers.RunPod;

/// <summary>
/// Runs pods as RunPod GPU pods (driver "runpod") over RunPod's GraphQL API (<see cref="RunPodGraphQLClient"/>).
/// Stateless: every operation asks RunPod by pod id. RunPod pods have no labels, so a pod's labels travel in its
/// environment (<see cref="LabelsVariable"/>, JSON) and its kind and id in its name; listing reads them back, which
/// makes recovery after a restart and orphan detection work, and tells Poddle's pods from others of the account.
/// What RunPod cannot tell is declared, not faked: no exit status (RunPod restarts a container whose process ends; a pod
/// ends when stopped), no logs, stats or exec through the API, endpoints on RunPod's proxy or a public address (not
/// this machine), no signals (podStop has no grace period). Split by concern: the lifecycle (.Lifecycle.cs), RunPod's
/// answers in the contract's terms (.Mapping.cs), the account, GPU types and resume (.Account.cs), failures as
/// <see cref="PodDriverException"/>s (.Errors.cs).
/// </summary>
public sealed partial class RunPodPodDriver : IPodDriver
{
    /// <summary>The driver's name in every <see cref="PodHandle"/>.</summary>
    public const string DriverName = PodDriverNames.RunPod;

    /// <summary>The version of <see cref="PodHandle.DriverState"/>'s format.</summary>
    public const int StateVersion = 1;

    /// <summary>The environment variable that carries the pod's labels (JSON object).</summary>
    public const string LabelsVariable = "PODDLE_LABELS";

    private readonly RunPodGraphQLClient _client;
    private readonly RunPodDriverOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    // The last verdict of CheckHealthAsync and when it was made: /readyz is asked often, RunPod's API must not be.
    // A reference swapped whole, so concurrent checks never see half of one.
    private volatile Tuple<DriverHealth, DateTimeOffset>? _lastHealth;

    /// <summary>Creates the driver; nothing is asked of RunPod until the first call.</summary>
    public RunPodPodDriver(RunPodGraphQLClient client, RunPodDriverOptions options, ILogger<RunPodPodDriver>? logger = null, TimeProvider? timeProvider = null)
    {
        _client = client;
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public string Name => DriverName;

    /// <inheritdoc />
    public DriverCapabilities Capabilities { get; } = new(
        Images: true,
        Commands: false,
        Gpu: true,
        NetworkIsolation: false,
        Logs: false,
        Stats: false,
        Signals: false,
        Exec: false)
    {
        Hardware = PodHardwareFeatures.Gpu | PodHardwareFeatures.GpuType | PodHardwareFeatures.ContainerDisk | PodHardwareFeatures.Volume
            | PodHardwareFeatures.Ports | PodHardwareFeatures.CloudType | PodHardwareFeatures.Spot,
        ExitStatus = false,
        LocalEndpoint = false,
    };

    /// <summary>Whether this driver's key's circuit breaker is open (RunPod failing; calls refused for a while).</summary>
    public bool CircuitOpen => _client.CircuitOpen;

    /// <summary>How long a health verdict is kept (an open circuit is reported at once).</summary>
    public static TimeSpan HealthCacheDuration { get; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    /// <remarks>Asks RunPod for the account (balance, spend); the verdict is kept for <see cref="HealthCacheDuration"/>.</remarks>
    public async Task<DriverHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        if (_client.CircuitOpen)
        {
            return new DriverHealth(false, $"runpod: circuit open after repeated failures at {_options.Endpoint.Host}; calls refused for up to {_options.BreakDuration}");
        }

        var now = _time.GetUtcNow();
        if (_lastHealth is { } last && now - last.Item2 < HealthCacheDuration)
        {
            return last.Item1;
        }

        DriverHealth health;
        try
        {
            var account = await GetAccountAsync(cancellationToken);
            health = new DriverHealth(true, $"runpod at {_options.Endpoint.Host}: balance ${account.ClientBalance ?? 0:0.00}, spending ${account.CurrentSpendPerHr ?? 0:0.000}/h");
        }
        catch (PodDriverException ex)
        {
            health = new DriverHealth(false, $"runpod: {ex.Message}");
        }

        _lastHealth = Tuple.Create(health, now);
        return health;
    }
}
