namespace Poddle.Drivers.RunPod.Api;

/// <summary>RunPod's <c>PodRuntimePorts</c>: "http" ports through its proxy, "tcp" ports on a public address.</summary>
public sealed record RunPodRuntimePort(string? Ip, bool? IsIpPublic, int? PrivatePort, int? PublicPort, string? Type);
