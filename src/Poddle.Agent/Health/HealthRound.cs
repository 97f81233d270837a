using Poddle.Agent.Tuning;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Poddle.Agent.Gpu;
using Poddle.Contracts;

namespace Poddle.Agent.Health;

/// <summary>The values of <see cref="AgentCheckResult.Status"/> and <see cref="AgentHealthReport.Status"/>.</summary>
public static class HealthStatus
{
    // The wire values live in Contracts (HealthStatuses), shared with the server and the CLI.
    public const string Healthy = HealthStatuses.Healthy;
    public const string Degraded = HealthStatuses.Degraded;
    public const string Critical = HealthStatuses.Critical;
    public const string Skipped = HealthStatuses.Skipped;

    /// <summary>The worst status among checks that ran (skipped ones do not count); healthy when none ran.</summary>
    public static string Worst(IEnumerable<AgentCheckResult> checks) =>
        checks.Select(c => c.Status).Aggregate(Healthy, (worst, status) => Rank(status) > Rank(worst) ? status : worst);

    /// <summary>`poddle agent check`'s exit code: 0 healthy, 1 degraded, 2 critical.</summary>
    public static int ExitCode(string status) => Rank(status) switch { 2 => 2, 1 => 1, _ => 0 };

    private static int Rank(string status) => status switch { Critical => 2, Degraded => 1, _ => 0 };
}

/// <summary>
/// The agent's health checks: the app's endpoint (with its consecutive failures across rounds), CPU, memory, disk
/// and every GPU. One instance lives as long as the agent; rounds must not overlap (a second waits for the first).
/// </summary>
public sealed partial class HealthRound : IHealthRound, IDisposable
{
    private readonly HealthCheckOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PodEnvironment _identity;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly AppProbe _probe;
    private readonly SystemMeters _meters;
    private readonly NvidiaSmi _nvidiaSmi;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CpuSample? _lastCpu;

    /// <exception cref="OptionsValidationException">The options are not usable; the message names each bad setting.</exception>
    public HealthRound(HealthCheckOptions options, TimeProvider? time = null, HttpClient? http = null, PodEnvironment? identity = null, ILogger<HealthRound>? logger = null)
    {
        if (options.Validate() is { Count: > 0 } failures)
        {
            throw new OptionsValidationException(nameof(HealthCheckOptions), typeof(HealthCheckOptions), failures);
        }

        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _identity = identity ?? PodEnvironment.Detect(Environment.GetEnvironmentVariable, procRoot: options.ProcRoot);
        _ownsHttp = http is null;
        _http = http ?? new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = Timeout.InfiniteTimeSpan };
        _probe = new AppProbe(_http, options, _time);
        _meters = new SystemMeters(options.ProcRoot, options.CgroupRoot, _time);
        _nvidiaSmi = new NvidiaSmi(options.NvidiaSmiCommand);
    }

    /// <summary>Rounds in a row in which the app check failed (0 once it passes again).</summary>
    public int ConsecutiveAppFailures { get; private set; }

    public async Task<AgentHealthReport> RunAsync(AgentAppState? app, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var checks = new List<AgentCheckResult>();
            if (_options.AppUrl is { } url)
            {
                checks.Add(await CheckAppAsync(url, cancellationToken));
            }

            checks.Add(await CheckCpuAsync(cancellationToken));
            checks.Add(CheckMemory());
            checks.AddRange(_options.DiskPaths.Select(CheckDisk));
            checks.AddRange(await CheckGpusAsync(cancellationToken));
            return new AgentHealthReport(HealthStatus.Worst(checks), _time.GetUtcNow(), _identity.PodId, _identity.Kind, _identity.Hostname, checks, app);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<AgentCheckResult> CheckAppAsync(Uri url, CancellationToken cancellationToken)
    {
        var result = await _probe.ProbeAsync(url, cancellationToken);
        if (result.Healthy)
        {
            ConsecutiveAppFailures = 0;
            return new AgentCheckResult("app", HealthStatus.Healthy, result.ElapsedMs, null, "ms", result.Message);
        }

        ConsecutiveAppFailures++;
        var status = ConsecutiveAppFailures >= _options.AppFailuresCritical ? HealthStatus.Critical : HealthStatus.Degraded;
        LogAppFailed(_logger, ConsecutiveAppFailures, result.Message);
        var rounds = ConsecutiveAppFailures == 1 ? "1 round" : $"{ConsecutiveAppFailures} rounds in a row";
        return new AgentCheckResult("app", status, result.ElapsedMs, null, "ms", $"{result.Message} (failed {rounds}; critical at {_options.AppFailuresCritical})");
    }

    private async Task<AgentCheckResult> CheckCpuAsync(CancellationToken cancellationToken)
    {
        var previous = _lastCpu;
        if (previous is null)
        {
            // The first round has nothing to compare with: it measures over a short interval of its own.
            previous = _meters.SampleCpu();
            await Task.Delay(_options.CpuSampleInterval, _time, cancellationToken);
        }

        var current = _meters.SampleCpu();
        _lastCpu = current;
        if (current is null)
        {
            return Skipped("cpu", $"neither a cgroup CPU quota nor {_options.ProcRoot}/stat could be read");
        }

        return SystemMeters.CpuPercent(previous, current) is { } percent
            ? Grade("cpu", percent, _options.CpuPercent, _options.CriticalCpuPercent, "%", $"{Format(percent)}% of {Format(current.Cpus)} CPU ({current.Source})")
            : Skipped("cpu", "no CPU time passed between samples");
    }

    private AgentCheckResult CheckMemory()
    {
        var memory = _meters.ReadMemory();
        return memory is null
            ? Skipped("memory", $"neither a cgroup memory limit nor {_options.ProcRoot}/meminfo could be read")
            : Grade("memory", memory.Percent, _options.MemoryPercent, _options.CriticalMemoryPercent, "%", $"{Bytes(memory.UsedBytes)} of {Bytes(memory.TotalBytes)} ({memory.Source})");
    }

    private AgentCheckResult CheckDisk(string path)
    {
        var name = "disk:" + path;
        try
        {
            return SystemMeters.ReadDisk(path) is { } disk
                ? Grade(name, disk.Percent, _options.DiskPercent, _options.CriticalDiskPercent, "%", $"{Bytes(disk.UsedBytes)} used, {Bytes(disk.AvailableBytes)} free on {path}")
                : Skipped(name, $"{path} does not exist");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Skipped(name, $"statvfs {path} failed: {ex.Message}");
        }
    }

    private async Task<IEnumerable<AgentCheckResult>> CheckGpusAsync(CancellationToken cancellationToken)
    {
        var query = await _nvidiaSmi.QueryGpusAsync(cancellationToken);
        if (!query.Found)
        {
            return [Skipped("gpu", $"{query.Error}")];
        }

        if (query.Error is { } error)
        {
            // nvidia-smi is installed, so this pod expects a GPU: one it cannot reach is a pod that cannot work.
            LogGpuFailed(_logger, error);
            return [new AgentCheckResult("gpu", HealthStatus.Critical, null, null, null, error)];
        }

        if (query.Gpus.Count == 0)
        {
            return [new AgentCheckResult("gpu", HealthStatus.Degraded, 0, null, "GPUs", "nvidia-smi lists no GPU")];
        }

        var checks = new List<AgentCheckResult>();
        foreach (var gpu in query.Gpus)
        {
            var prefix = $"gpu{gpu.Index.ToString(CultureInfo.InvariantCulture)}.";
            var label = gpu.Name ?? "GPU";
            checks.Add(gpu.UtilizationPercent is { } utilization
                ? _options.GpuUtilizationPercent is { } busy
                    ? Grade(prefix + "utilization", utilization, busy, 101, "%", label)
                    : new AgentCheckResult(prefix + "utilization", HealthStatus.Healthy, utilization, null, "%", label)
                : Skipped(prefix + "utilization", "not reported by nvidia-smi"));
            checks.Add(gpu.MemoryUsedPercent is { } memory
                ? Grade(prefix + "memory", memory, _options.GpuMemoryPercent, _options.CriticalGpuMemoryPercent, "%", $"{Format(gpu.MemoryUsedMiB ?? 0)} MiB of {Format(gpu.MemoryTotalMiB ?? 0)} MiB")
                : Skipped(prefix + "memory", "not reported by nvidia-smi"));
            checks.Add(gpu.TemperatureC is { } temperature
                ? Grade(prefix + "temperature", temperature, _options.GpuTemperatureC, _options.CriticalGpuTemperatureC, "C", label)
                : Skipped(prefix + "temperature", "not reported by nvidia-smi"));
            checks.Add(gpu.PowerDrawW is { } power
                ? gpu.PowerLimitW is { } limit and > 0
                    ? Grade(prefix + "power", power, Math.Round(limit * _options.GpuPowerPercentOfLimit / 100, 2), double.MaxValue, "W", $"{Format(power)} W of a {Format(limit)} W limit")
                    : new AgentCheckResult(prefix + "power", HealthStatus.Healthy, power, null, "W", "no power limit reported")
                : Skipped(prefix + "power", "not reported by nvidia-smi"));
        }

        return checks;
    }

    private static AgentCheckResult Grade(string name, double value, double degraded, double critical, string unit, string message)
    {
        var status = value >= critical ? HealthStatus.Critical : value >= degraded ? HealthStatus.Degraded : HealthStatus.Healthy;
        var why = status == HealthStatus.Healthy ? message
            : $"{message}: {Format(value)}{unit} ≥ {Format(status == HealthStatus.Critical ? critical : degraded)}{unit}";
        return new AgentCheckResult(name, status, value, degraded, unit, why);
    }

    private static AgentCheckResult Skipped(string name, string reason) => new(name, HealthStatus.Skipped, null, null, null, reason);

    private static string Format(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>"1.5 GiB", "300 MiB".</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 40 => (bytes / (double)(1L << 40)).ToString("0.#", CultureInfo.InvariantCulture) + " TiB",
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.#", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.#", CultureInfo.InvariantCulture) + " MiB",
        _ => (bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KiB",
    };

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }

        _gate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "App health check failed ({Failures} in a row): {Reason}")]
    private static partial void LogAppFailed(ILogger logger, int failures, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GPU check failed: {Reason}")]
    private static partial void LogGpuFailed(ILogger logger, string reason);
}
