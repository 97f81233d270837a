namespace Poddle.Drivers.RunPod.Api;

/// <summary>RunPod's <c>PodRuntimeContainer</c>.</summary>
public sealed record RunPodRuntimeContainer(int? CpuPercent, int? MemoryPercent);
