namespace Poddle.Testing.RunPod;

/// <summary>RunPod's <c>PodMachineInfo</c>.</summary>
public sealed record RunPodFakeMachine(string PodHostId, string GpuDisplayName, string Location);
