using System.Globalization;

namespace Poddle.Agent.Gpu;

/// <summary>
/// Parses <c>nvidia-smi --query-gpu=... --format=csv[,noheader][,nounits]</c> and <c>--query-compute-apps=...</c>.
/// With a header the columns are named by it ("memory.used [MiB]" names memory.used) and values may carry units
/// ("0 %", "81559 MiB"); without one the caller says which fields it asked for, in order.
/// </summary>
public static class NvidiaSmiCsv
{
    /// <summary>The fields the agent asks for, in this order (<see cref="QueryGpuArgument"/>).</summary>
    public static readonly IReadOnlyList<string> GpuFields =
    [
        "index", "uuid", "name", "driver_version", "pstate", "temperature.gpu", "utilization.gpu", "utilization.memory",
        "memory.total", "memory.used", "memory.free", "power.draw", "power.limit", "persistence_mode", "clocks.sm", "clocks.mem",
    ];

    /// <summary>The fields the agent asks for about compute processes, in this order.</summary>
    public static readonly IReadOnlyList<string> ComputeAppFields = ["gpu_uuid", "pid", "process_name", "used_memory"];

    /// <summary>nvidia-smi's arguments for <see cref="GpuFields"/> without header and units.</summary>
    public static string QueryGpuArgument => "--query-gpu=" + string.Join(',', GpuFields);

    /// <summary>nvidia-smi's arguments for <see cref="ComputeAppFields"/> without header and units.</summary>
    public static string QueryComputeAppsArgument => "--query-compute-apps=" + string.Join(',', ComputeAppFields);

    /// <summary>Parses --query-gpu output; <paramref name="fields"/> names the columns when there is no header line.</summary>
    /// <exception cref="FormatException">A line has a different number of columns than the header or fields.</exception>
    public static IReadOnlyList<GpuDevice> ParseGpus(string text, IReadOnlyList<string>? fields = null)
    {
        var devices = new List<GpuDevice>();
        foreach (var row in Rows(text, fields ?? GpuFields, "index"))
        {
            devices.Add(new GpuDevice
            {
                Index = (int?)Number(row, "index") ?? devices.Count,
                Uuid = Text(row, "uuid", "gpu_uuid"),
                Name = Text(row, "name", "gpu_name"),
                DriverVersion = Text(row, "driver_version"),
                PerformanceState = Text(row, "pstate"),
                TemperatureC = Number(row, "temperature.gpu"),
                UtilizationPercent = Number(row, "utilization.gpu"),
                MemoryUtilizationPercent = Number(row, "utilization.memory"),
                MemoryTotalMiB = Number(row, "memory.total"),
                MemoryUsedMiB = Number(row, "memory.used"),
                MemoryFreeMiB = Number(row, "memory.free"),
                PowerDrawW = Number(row, "power.draw", "power.draw.average", "power.draw.instant"),
                PowerLimitW = Number(row, "power.limit", "enforced.power.limit"),
                PersistenceMode = Text(row, "persistence_mode"),
                SmClockMHz = Number(row, "clocks.sm", "clocks.current.sm"),
                MemoryClockMHz = Number(row, "clocks.mem", "clocks.current.memory"),
            });
        }

        return devices;
    }

    /// <summary>Parses --query-compute-apps output (no process holds a GPU: no rows, or a header alone).</summary>
    /// <exception cref="FormatException">A line has a different number of columns than the header or fields.</exception>
    public static IReadOnlyList<GpuProcess> ParseComputeApps(string text, IReadOnlyList<string>? fields = null)
    {
        var processes = new List<GpuProcess>();
        foreach (var row in Rows(text, fields ?? ComputeAppFields, "pid"))
        {
            processes.Add(new GpuProcess(
                (int?)Number(row, "pid"),
                Text(row, "process_name", "name"),
                Number(row, "used_memory", "used_gpu_memory"),
                Text(row, "gpu_uuid")));
        }

        return processes;
    }

    /// <summary>"[N/A]", "[Not Supported]", "N/A" and empty mean "no value".</summary>
    public static bool IsMissing(string? value) =>
        string.IsNullOrWhiteSpace(value)
        || value.StartsWith('[')
        || value.Equals("N/A", StringComparison.OrdinalIgnoreCase)
        || value.Equals("Not Supported", StringComparison.OrdinalIgnoreCase);

    /// <summary>A number with or without its unit ("81559", "81559 MiB", "43 C", "104.30 W", "0 %"); null when missing.</summary>
    public static double? ParseNumber(string? value)
    {
        if (IsMissing(value))
        {
            return null;
        }

        var text = value!.Trim();
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0)
        {
            text = text[..space];
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : null;
    }

    private static IEnumerable<Dictionary<string, string>> Rows(string text, IReadOnlyList<string> fields, string firstHeaderHint)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
        if (lines.Count == 0)
        {
            yield break;
        }

        var names = fields;
        var first = Split(lines[0]);
        if (LooksLikeHeader(first, fields, firstHeaderHint))
        {
            // "memory.used [MiB]" → "memory.used"; the unit moves into each value, which ParseNumber strips.
            names = first.Select(h => (h.IndexOf(" [", StringComparison.Ordinal) is var bracket and > 0 ? h[..bracket] : h).Trim()).ToList();
            lines.RemoveAt(0);
        }

        foreach (var line in lines)
        {
            var values = Split(line);
            if (values.Count != names.Count)
            {
                throw new FormatException($"nvidia-smi CSV line has {values.Count} columns, expected {names.Count} ({string.Join(',', names)}): {line}");
            }

            var row = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < names.Count; i++)
            {
                row[names[i]] = values[i];
            }

            yield return row;
        }
    }

    // A header names fields ("index", "memory.used") or carries units ("memory.used [MiB]"); values never look like that.
    private static bool LooksLikeHeader(IReadOnlyList<string> cells, IReadOnlyList<string> fields, string hint) =>
        cells.Any(c => c.Contains(" [", StringComparison.Ordinal)
            || c.Equals(hint, StringComparison.OrdinalIgnoreCase)
            || fields.Contains(c, StringComparer.OrdinalIgnoreCase));

    // nvidia-smi separates with ", " and never quotes; GPU and process names contain no commas.
    private static List<string> Split(string line) => line.Split(',').Select(v => v.Trim()).ToList();

    private static string? Text(Dictionary<string, string> row, params string[] names)
    {
        foreach (var name in names)
        {
            if (row.TryGetValue(name, out var value))
            {
                return IsMissing(value) ? null : value;
            }
        }

        return null;
    }

    private static double? Number(Dictionary<string, string> row, params string[] names) => ParseNumber(Text(row, names));
}
