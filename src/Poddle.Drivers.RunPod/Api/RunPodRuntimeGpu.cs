namespace Poddle.Drivers.RunPod.Api;

/// <summary>RunPod's <c>PodRuntimeGpus</c>.</summary>
public sealed record RunPodRuntimeGpu(string? Id, int? GpuUtilPercent, int? MemoryUtilPercent);
