namespace Poddle.Testing.RunPod;

/// <summary>RunPod's <c>PodRuntimePorts</c>.</summary>
public sealed record RunPodFakeRuntimePort(string Ip, bool IsIpPublic, int PrivatePort, int PublicPort, string Type);
