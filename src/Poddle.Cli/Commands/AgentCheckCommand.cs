using System.CommandLine;
using System.Globalization;
using Poddle.Agent.Health;
using Poddle.Agent.Tuning;
using Poddle.Cli.Output;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands;

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

/// <summary>`poddle agent check`: one round of the agent's health checks, as a table or JSON; the exit code is the status.</summary>
internal static class AgentCheckCommand
{
    /// <summary>
    /// The `check` command. It belongs under `poddle agent` (whose owner adds it with
    /// <c>agent.Subcommands.Add(AgentCheckCommand.Create(environment, globals))</c>).
    /// </summary>
    public static Command Create(CliEnvironment environment, GlobalOptions globals)
    {
        var health = new HealthCheckCliOptions();
        var report = new Option<string?>("--report") { Description = "Also write the report there, atomically (as the agent does each period)" };
        var command = new Command("check", "Run the health checks once (app endpoint, CPU, memory, disk, GPU) and print the report: exit 0 healthy, 1 degraded, 2 critical");
        health.AddTo(command);
        command.Options.Add(report);
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var options = health.Build(parse);
            using var round = new HealthRound(options, environment.Time, identity: PodEnvironment.Detect(environment.Variable, procRoot: options.ProcRoot));
            var result = await round.RunAsync(null, cancellationToken);
            if (parse.GetValue(report) is { } path)
            {
                var writer = new HealthReportWriter(path);
                var error = await writer.WriteAsync(result, cancellationToken);
                result = result with { Checks = [.. result.Checks, writer.ReportCheck(error)] };
            }

            if (context.Output.Json)
            {
                context.Output.WriteJson(result, PoddleJsonContext.Default.AgentHealthReport);
            }
            else
            {
                Print(context.Output.Out, result);
            }

            // 0 healthy, 1 degraded, 2 critical: the agent's statuses, which scripts and probes rely on.
            return (ExitCode)HealthStatus.ExitCode(result.Status);
        });
        return command;
    }

    public static void Print(IAnsiConsole console, AgentHealthReport report)
    {
        var table = CliOutput.Table("CHECK", "STATUS", "VALUE", "THRESHOLD", "DETAIL");
        foreach (var check in report.Checks)
        {
            table.AddRow(
                new Text(check.Name),
                new Markup(Status(check.Status)),
                new Text(Value(check.Value, check.Unit)),
                new Text(Value(check.Threshold, check.Unit)),
                new Text(check.Message ?? string.Empty));
        }

        console.Write(table);
        console.MarkupLine($"{Markup.Escape(report.Hostname)} ({Markup.Escape(report.Environment)}{(report.PodId is null || report.PodId == report.Hostname ? "" : ", pod " + Markup.Escape(report.PodId))}): {Status(report.Status)}");
    }

    public static string Status(string status) => status switch
    {
        HealthStatus.Healthy => "[green]healthy[/]",
        HealthStatus.Degraded => "[yellow]degraded[/]",
        HealthStatus.Critical => "[red]critical[/]",
        _ => "[grey]" + Markup.Escape(status) + "[/]",
    };

    public static string Value(double? value, string? unit) =>
        value is null ? "-" : value.Value.ToString("0.##", CultureInfo.InvariantCulture) + (unit is "%" or "C" or "W" ? unit : unit is null ? "" : " " + unit);
}
