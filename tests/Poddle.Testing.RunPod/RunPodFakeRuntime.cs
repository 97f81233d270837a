namespace Poddle.Testing.RunPod;

/// <summary>RunPod's <c>PodRuntime</c>: present while the container runs.</summary>
public sealed record RunPodFakeRuntime(int UptimeInSeconds, IReadOnlyList<RunPodFakeRuntimePort> Ports, IReadOnlyList<RunPodFakeRuntimeGpu> Gpus, RunPodFakeRuntimeContainer Container);
