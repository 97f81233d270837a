namespace Poddle.Drivers.Abstractions.Pods;

/// <summary>GPUs for a pod (<see cref="PodSpec.Gpu"/>).</summary>
/// <param name="Count">How many GPUs, at least 1.</param>
/// <param name="Type">
/// The provider's GPU type id ("NVIDIA GeForce RTX 4090" on RunPod); null: any GPU the driver has. A driver that cannot
/// choose a model (Docker passes the host's GPUs by count) refuses a type (<see cref="PodHardwareFeatures.GpuType"/>).
/// </param>
public sealed record PodGpu(int Count, string? Type = null);
