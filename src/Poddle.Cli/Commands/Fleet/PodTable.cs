using System.Globalization;
using Poddle.Cli.Output;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Fleet;

/// <summary>Pods as a table (`ls`, `monitor`): status, uptime, GPU and container utilisation, $/h, and whose pod it is.</summary>
internal static class PodTable
{
    /// <summary>The table of <paramref name="pods"/>, with the total $/h of those running in its caption.</summary>
    public static Table Of(IReadOnlyList<PodResponse> pods)
    {
        var table = CliOutput.Table(ColumnHeaders.Id, ColumnHeaders.Name, ColumnHeaders.Status, "UPTIME", "GPU", "GPU%", "CPU%", "MEM%", "$/H", "PODDLE");
        foreach (var pod in pods)
        {
            table.AddRow(
                new Text(pod.Id),
                new Text(pod.Name ?? "-"),
                new Text(pod.Status),
                new Text(pod.UptimeSeconds is { } up ? Uptime(up) : "-"),
                new Text(pod.GpuCount > 0 ? string.Create(CultureInfo.InvariantCulture, $"{pod.GpuCount} x {pod.GpuType ?? "?"}") : "-"),
                Percent(pod.GpuUtilPercent),
                Percent(pod.CpuPercent),
                Percent(pod.MemoryPercent),
                new Text(pod.CostPerHour is { } cost ? cost.ToString("0.000", CultureInfo.InvariantCulture) : "-"),
                new Text(Owner(pod)));
        }

        var spend = pods.Where(p => p.State == "running").Sum(p => p.CostPerHour ?? 0);
        table.Caption(string.Create(CultureInfo.InvariantCulture, $"{pods.Count} pods, running ones ${spend:0.000}/h"));
        return table;
    }

    /// <summary>"kind/id" for a Poddle pod, "unmanaged" for another of the account.</summary>
    public static string Owner(PodResponse pod) => pod.Managed ? $"{pod.Kind ?? "?"}/{pod.PoddleId ?? "?"}" : "unmanaged";

    /// <summary>"2d 3h", "4h 05m", "12m 30s".</summary>
    public static string Uptime(long seconds)
    {
        var span = TimeSpan.FromSeconds(seconds);
        return span.TotalDays >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalDays}d {span.Hours}h")
            : span.TotalHours >= 1
                ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}h {span.Minutes:00}m")
                : string.Create(CultureInfo.InvariantCulture, $"{span.Minutes}m {span.Seconds:00}s");
    }

    private static Text Percent(int? value) => new(value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "-");
}
