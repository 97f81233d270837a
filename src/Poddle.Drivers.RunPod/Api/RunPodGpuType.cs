namespace Poddle.Drivers.RunPod.Api;

/// <summary>RunPod's <c>GpuType</c> with its prices ($/h per GPU).</summary>
public sealed record RunPodGpuType(
    string Id,
    string? DisplayName,
    int? MemoryInGb,
    double? SecurePrice,
    double? CommunityPrice,
    RunPodLowestPrice? LowestPrice);
