namespace Poddle.Drivers.RunPod.Api;

/// <summary>RunPod's <c>PodRuntime</c>: null until the container runs.</summary>
public sealed record RunPodRuntime(int? UptimeInSeconds, IReadOnlyList<RunPodRuntimePort>? Ports, IReadOnlyList<RunPodRuntimeGpu>? Gpus, RunPodRuntimeContainer? Container);
