using System.CommandLine;
using Poddle.Agent.Health;

namespace Poddle.Cli.Commands.Pods;

/// <summary>
/// The health-check options shared by `poddle agent check` and `poddle diagnose` (thresholds, app URL, disk paths,
/// nvidia-smi), turned into validated <see cref="HealthCheckOptions"/>.
/// </summary>
internal sealed class HealthCheckCliOptions
{
    public Option<string?> Url { get; } = new("--url") { Description = "The app's health endpoint to GET (e.g. http://127.0.0.1:8080/health); none: no app check" };

    public Option<string?> Body { get; } = new("--body") { Description = "Text the 200 answer must contain (e.g. healthy)" };

    public Option<double> Timeout { get; } = new("--timeout") { Description = "Seconds an attempt may take (a hanging endpoint fails)", DefaultValueFactory = _ => 5 };

    public Option<double> Cpu { get; } = new("--cpu") { Description = "CPU % at which the pod is degraded", DefaultValueFactory = _ => 80 };

    public Option<double> CriticalCpu { get; } = new("--critical-cpu") { Description = "CPU % at which it is critical", DefaultValueFactory = _ => 95 };

    public Option<double> Memory { get; } = new("--memory") { Description = "Memory % (of the cgroup limit, else of the machine) at which it is degraded", DefaultValueFactory = _ => 85 };

    public Option<double> CriticalMemory { get; } = new("--critical-memory") { Description = "Memory % at which it is critical", DefaultValueFactory = _ => 95 };

    public Option<double> Disk { get; } = new("--disk") { Description = "Disk % at which it is degraded", DefaultValueFactory = _ => 90 };

    public Option<double> CriticalDisk { get; } = new("--critical-disk") { Description = "Disk % at which it is critical", DefaultValueFactory = _ => 95 };

    public Option<string[]> DiskPaths { get; } = new("--disk-path") { Description = "A filesystem to check, by any path on it (repeatable; default /)" };

    public Option<double> GpuMemory { get; } = new("--gpu-memory") { Description = "GPU memory % at which a GPU is degraded", DefaultValueFactory = _ => 95 };

    public Option<double> GpuTemperature { get; } = new("--gpu-temperature") { Description = "GPU °C at which a GPU is degraded", DefaultValueFactory = _ => 85 };

    public Option<double?> GpuUtilization { get; } = new("--gpu-utilization") { Description = "GPU utilisation % at which a GPU is degraded (default: reported only)" };

    public Option<string> NvidiaSmi { get; } = new("--nvidia-smi") { Description = "nvidia-smi to run (a name on PATH or a path)", DefaultValueFactory = _ => "nvidia-smi" };

    // Where /proc and the cgroup hierarchy are read: for tests and for looking at a container's mounts from outside.
    public Option<string> ProcRoot { get; } = new("--proc-root") { Hidden = true, DefaultValueFactory = _ => "/proc" };

    public Option<string> CgroupRoot { get; } = new("--cgroup-root") { Hidden = true, DefaultValueFactory = _ => "/sys/fs/cgroup" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Url, Body, Timeout, Cpu, CriticalCpu, Memory, CriticalMemory, Disk, CriticalDisk, DiskPaths, GpuMemory, GpuTemperature, GpuUtilization, NvidiaSmi, ProcRoot, CgroupRoot })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The options; a bad value is a usage error naming the flag.</summary>
    public HealthCheckOptions Build(ParseResult parse)
    {
        Uri? url = null;
        if (parse.GetValue(Url) is { } urlText && (!Uri.TryCreate(urlText, UriKind.Absolute, out url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            throw CliException.Usage($"--url '{urlText}' is not an http(s) URL; pass e.g. --url http://127.0.0.1:8080/health.");
        }

        var memory = parse.GetValue(Memory);
        var gpuMemory = parse.GetValue(GpuMemory);
        var gpuTemperature = parse.GetValue(GpuTemperature);
        var options = new HealthCheckOptions
        {
            AppUrl = url,
            AppBodyContains = parse.GetValue(Body),
            AppTimeout = TimeSpan.FromSeconds(parse.GetValue(Timeout)),
            CpuPercent = parse.GetValue(Cpu),
            CriticalCpuPercent = parse.GetValue(CriticalCpu),
            MemoryPercent = memory,
            CriticalMemoryPercent = parse.GetValue(CriticalMemory),
            DiskPercent = parse.GetValue(Disk),
            CriticalDiskPercent = parse.GetValue(CriticalDisk),
            DiskPaths = parse.GetValue(DiskPaths) is { Length: > 0 } paths ? paths.ToList() : ["/"],
            GpuMemoryPercent = gpuMemory,
            CriticalGpuMemoryPercent = Math.Max(gpuMemory, 99),
            GpuTemperatureC = gpuTemperature,
            CriticalGpuTemperatureC = Math.Max(gpuTemperature, 92),
            GpuUtilizationPercent = parse.GetValue(GpuUtilization),
            NvidiaSmiCommand = parse.GetValue(NvidiaSmi)!,
            ProcRoot = parse.GetValue(ProcRoot)!,
            CgroupRoot = parse.GetValue(CgroupRoot)!,
        };

        if (options.Validate() is { Count: > 0 } failures)
        {
            throw CliException.Usage(string.Join(Environment.NewLine, failures.Select(ToFlags)));
        }

        return options;
    }

    // The validator names settings ("CriticalCpuPercent"); people typed flags ("--critical-cpu").
    private static string ToFlags(string failure) => failure
        .Replace("CriticalCpuPercent", "--critical-cpu", StringComparison.Ordinal).Replace("CpuPercent", "--cpu", StringComparison.Ordinal)
        .Replace("CriticalMemoryPercent", "--critical-memory", StringComparison.Ordinal).Replace("MemoryPercent", "--memory", StringComparison.Ordinal)
        .Replace("CriticalDiskPercent", "--critical-disk", StringComparison.Ordinal).Replace("DiskPercent", "--disk", StringComparison.Ordinal)
        .Replace("AppTimeout", "--timeout", StringComparison.Ordinal).Replace("AppUrl", "--url", StringComparison.Ordinal);
}
