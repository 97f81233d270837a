namespace Poddle.Drivers.Abstractions.Pods;

/// <summary>A pod as an operator sees it at its provider (<see cref="IPodFleet"/>).</summary>
/// <param name="Id">The provider's pod id.</param>
/// <param name="Name">The provider's name of the pod.</param>
/// <param name="Managed">Whether Poddle made it (it carries Poddle's labels); others of the account are left alone by Poddle.</param>
/// <param name="Labels">Poddle's labels (owner, kind, id); empty for an unmanaged pod.</param>
/// <param name="Status">The provider's own status word (RunPod's desiredStatus: RUNNING, EXITED, …).</param>
/// <param name="State">The status in the driver contract's terms.</param>
/// <param name="Image">The image.</param>
/// <param name="GpuType">The GPU's name; null for none or unknown.</param>
/// <param name="GpuCount">GPUs.</param>
/// <param name="CostPerHour">Dollars per hour; null when unknown.</param>
/// <param name="Uptime">Time since the container started; null when not running.</param>
/// <param name="GpuUtilPercent">Mean GPU utilisation; null when unknown.</param>
/// <param name="CpuPercent">Container CPU utilisation; null when unknown.</param>
/// <param name="MemoryPercent">Container memory utilisation; null when unknown.</param>
/// <param name="Spot">Whether it is a spot (interruptible) pod.</param>
public sealed record FleetPod(
    string Id,
    string? Name,
    bool Managed,
    IReadOnlyDictionary<string, string> Labels,
    string Status,
    PodState State,
    string? Image,
    string? GpuType,
    int GpuCount,
    decimal? CostPerHour,
    TimeSpan? Uptime,
    int? GpuUtilPercent,
    int? CpuPercent,
    int? MemoryPercent,
    bool Spot);
