namespace Poddle.Drivers.RunPod.Api;

/// <summary>RunPod's <c>PodMachineInfo</c>.</summary>
public sealed record RunPodMachine(string? GpuDisplayName, string? Location);
