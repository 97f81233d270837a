namespace Poddle.Testing.RunPod;

/// <summary>RunPod's <c>PodRuntimeGpus</c>.</summary>
public sealed record RunPodFakeRuntimeGpu(string Id, int GpuUtilPercent, int MemoryUtilPercent);
