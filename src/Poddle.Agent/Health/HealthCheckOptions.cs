using Microsoft.Extensions.Options;

namespace Poddle.Agent.Health;

/// <summary>
/// What a health round checks and where its thresholds lie (docs/agent-health.md). A value at or above a
/// <c>...Percent</c>/<c>...C</c> threshold is degraded; at or above its <c>Critical...</c> twin it is critical.
/// The roots (<see cref="ProcRoot"/>, <see cref="CgroupRoot"/>) and <see cref="NvidiaSmiCommand"/> are settings so a
/// test can point them at a temp tree and a script printing a real capture.
/// </summary>
public sealed class HealthCheckOptions
{
    /// <summary>The app's health endpoint (e.g. http://127.0.0.1:8080/health); null: no app check.</summary>
    public Uri? AppUrl { get; set; }

    /// <summary>Text the 200 body must contain (e.g. "healthy"); null: any 200 passes.</summary>
    public string? AppBodyContains { get; set; }

    /// <summary>One attempt's limit: an endpoint that hangs longer has failed.</summary>
    public TimeSpan AppTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A failed attempt is retried once after this long, within the same round.</summary>
    public TimeSpan AppRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>This many failed rounds in a row make the app critical; fewer are degraded.</summary>
    public int AppFailuresCritical { get; set; } = 3;

    public double CpuPercent { get; set; } = 80;

    public double CriticalCpuPercent { get; set; } = 95;

    public double MemoryPercent { get; set; } = 85;

    public double CriticalMemoryPercent { get; set; } = 95;

    public double DiskPercent { get; set; } = 90;

    public double CriticalDiskPercent { get; set; } = 95;

    /// <summary>Filesystems to check, by any path on them; each is a check named "disk:PATH".</summary>
    public IList<string> DiskPaths { get; set; } = ["/"];

    /// <summary>GPU utilisation at or above which a GPU is degraded; null (default): reported only, since a busy GPU is what a GPU pod is for.</summary>
    public double? GpuUtilizationPercent { get; set; }

    public double GpuMemoryPercent { get; set; } = 95;

    public double CriticalGpuMemoryPercent { get; set; } = 99;

    /// <summary>H100/A100 start slowing down around 85-90 °C.</summary>
    public double GpuTemperatureC { get; set; } = 85;

    public double CriticalGpuTemperatureC { get; set; } = 92;

    /// <summary>Power draw as a percent of the board's enforced limit at or above which a GPU is degraded.</summary>
    public double GpuPowerPercentOfLimit { get; set; } = 98;

    /// <summary>nvidia-smi, looked up on PATH, or a path to it.</summary>
    public string NvidiaSmiCommand { get; set; } = "nvidia-smi";

    /// <summary>The first round has no previous CPU sample: it takes two this far apart.</summary>
    public TimeSpan CpuSampleInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    public string ProcRoot { get; set; } = "/proc";

    public string CgroupRoot { get; set; } = "/sys/fs/cgroup";

    /// <summary>Every problem, each naming its setting; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var failures = new List<string>();
        void Check(bool ok, string message)
        {
            if (!ok)
            {
                failures.Add(message);
            }
        }

        Check(AppUrl is null || (AppUrl.IsAbsoluteUri && (AppUrl.Scheme == Uri.UriSchemeHttp || AppUrl.Scheme == Uri.UriSchemeHttps)), $"AppUrl must be an absolute http(s) URL (got {AppUrl}).");
        Check(AppTimeout > TimeSpan.Zero && AppTimeout <= TimeSpan.FromMinutes(5), $"AppTimeout must be more than 0 and at most 5 minutes (got {AppTimeout}).");
        Check(AppRetryDelay >= TimeSpan.Zero && AppRetryDelay <= TimeSpan.FromMinutes(1), $"AppRetryDelay must be between 0 and 1 minute (got {AppRetryDelay}).");
        Check(AppFailuresCritical is >= 1 and <= 100, $"AppFailuresCritical must be between 1 and 100 (got {AppFailuresCritical}).");
        foreach (var (name, degraded, critical) in new[]
                 {
                     ("Cpu", CpuPercent, CriticalCpuPercent), ("Memory", MemoryPercent, CriticalMemoryPercent),
                     ("Disk", DiskPercent, CriticalDiskPercent), ("GpuMemory", GpuMemoryPercent, CriticalGpuMemoryPercent),
                 })
        {
            Check(degraded is > 0 and <= 100, $"{name}Percent must be more than 0 and at most 100 (got {degraded}).");
            Check(critical >= degraded && critical <= 100, $"Critical{name}Percent must be between {name}Percent ({degraded}) and 100 (got {critical}).");
        }

        Check(GpuUtilizationPercent is null or > 0 and <= 100, $"GpuUtilizationPercent must be more than 0 and at most 100 (got {GpuUtilizationPercent}).");
        Check(GpuTemperatureC is > 0 and < 150, $"GpuTemperatureC must be between 0 and 150 (got {GpuTemperatureC}).");
        Check(CriticalGpuTemperatureC >= GpuTemperatureC && CriticalGpuTemperatureC < 150, $"CriticalGpuTemperatureC must be between GpuTemperatureC ({GpuTemperatureC}) and 150 (got {CriticalGpuTemperatureC}).");
        Check(GpuPowerPercentOfLimit is > 0 and <= 200, $"GpuPowerPercentOfLimit must be more than 0 and at most 200 (got {GpuPowerPercentOfLimit}).");
        Check(DiskPaths.All(p => !string.IsNullOrWhiteSpace(p)), "DiskPaths must not contain empty paths.");
        Check(!string.IsNullOrWhiteSpace(NvidiaSmiCommand), "NvidiaSmiCommand must not be empty.");
        Check(CpuSampleInterval >= TimeSpan.Zero && CpuSampleInterval <= TimeSpan.FromSeconds(10), $"CpuSampleInterval must be between 0 and 10 s (got {CpuSampleInterval}).");
        Check(!string.IsNullOrWhiteSpace(ProcRoot), "ProcRoot must not be empty.");
        Check(!string.IsNullOrWhiteSpace(CgroupRoot), "CgroupRoot must not be empty.");
        return failures;
    }
}

/// <summary>Names the setting of every bad value (for hosts that bind <see cref="HealthCheckOptions"/> from configuration).</summary>
public sealed class HealthCheckOptionsValidator : IValidateOptions<HealthCheckOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthCheckOptions options) =>
        options.Validate() is { Count: > 0 } failures ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
}
