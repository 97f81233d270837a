namespace Poddle.Testing.RunPod;

/// <summary>RunPod's <c>PodRuntimeContainer</c>.</summary>
public sealed record RunPodFakeRuntimeContainer(int CpuPercent, int MemoryPercent);
