namespace Poddle.Agent.Gpu;

/// <summary>
/// One GPU as <c>nvidia-smi</c> reports it. Every measurement is nullable: drivers print "[N/A]" or "[Not Supported]"
/// for what a board does not expose (fan speed on an H100, power on some MIG slices), and a query may not ask for it.
/// </summary>
public sealed record GpuDevice
{
    /// <summary>nvidia-smi's index (the XML has none: its position in the document).</summary>
    public required int Index { get; init; }

    public string? Uuid { get; init; }

    /// <summary>Product name, e.g. "NVIDIA H100 80GB HBM3".</summary>
    public string? Name { get; init; }

    public string? DriverVersion { get; init; }

    /// <summary>P0 (maximum performance) to P12.</summary>
    public string? PerformanceState { get; init; }

    public double? TemperatureC { get; init; }

    /// <summary>Percent of time a kernel ran over the last sample period.</summary>
    public double? UtilizationPercent { get; init; }

    /// <summary>Percent of time device memory was read or written.</summary>
    public double? MemoryUtilizationPercent { get; init; }

    public double? MemoryTotalMiB { get; init; }

    public double? MemoryUsedMiB { get; init; }

    public double? MemoryFreeMiB { get; init; }

    public double? PowerDrawW { get; init; }

    /// <summary>The enforced power limit.</summary>
    public double? PowerLimitW { get; init; }

    /// <summary>"Enabled" or "Disabled".</summary>
    public string? PersistenceMode { get; init; }

    public double? SmClockMHz { get; init; }

    public double? MemoryClockMHz { get; init; }

    /// <summary>Used device memory as a percent of the total; null when either is unknown or the total is 0.</summary>
    public double? MemoryUsedPercent =>
        MemoryUsedMiB is { } used && MemoryTotalMiB is { } total && total > 0 ? Math.Round(used * 100 / total, 1) : null;
}

/// <summary>A process holding a GPU context (<c>--query-compute-apps</c> or the XML's processes).</summary>
public sealed record GpuProcess(int? Pid, string? ProcessName, double? UsedMemoryMiB, string? GpuUuid);
