namespace Poddle.Testing.RunPod;

/// <summary>A GPU type the fake rents (RunPod's <c>GpuType</c>); property names are the GraphQL fields'.</summary>
public sealed class RunPodFakeGpuType
{
    /// <summary>RunPod's id, which is also the name people see: "NVIDIA GeForce RTX 4090".</summary>
    public required string Id { get; init; }

    /// <summary>"RTX 4090".</summary>
    public required string DisplayName { get; init; }

    /// <summary>"Nvidia".</summary>
    public string Manufacturer { get; init; } = "Nvidia";

    /// <summary>Memory of one GPU.</summary>
    public int MemoryInGb { get; init; } = 24;

    /// <summary>The most GPUs of this type one pod may have.</summary>
    public int MaxGpuCount { get; init; } = 8;

    /// <summary>Offered in the secure cloud.</summary>
    public bool SecureCloud { get; init; } = true;

    /// <summary>Offered in the community cloud.</summary>
    public bool CommunityCloud { get; init; } = true;

    /// <summary>$/h per GPU on demand, secure cloud.</summary>
    public double SecurePrice { get; init; }

    /// <summary>$/h per GPU on demand, community cloud.</summary>
    public double CommunityPrice { get; init; }

    /// <summary>The lowest spot bid per GPU, secure cloud.</summary>
    public double SecureSpotPrice { get; init; }

    /// <summary>The lowest spot bid per GPU, community cloud.</summary>
    public double CommunitySpotPrice { get; init; }

    /// <summary>RunPod's catalogue entries the fake starts with (prices of late 2025, in $/h per GPU).</summary>
    public static IReadOnlyList<RunPodFakeGpuType> Defaults { get; } =
    [
        new() { Id = "NVIDIA GeForce RTX 4090", DisplayName = "RTX 4090", MemoryInGb = 24, SecurePrice = 0.69, CommunityPrice = 0.34, SecureSpotPrice = 0.35, CommunitySpotPrice = 0.2 },
        new() { Id = "NVIDIA RTX A4000", DisplayName = "RTX A4000", MemoryInGb = 16, SecurePrice = 0.25, CommunityPrice = 0.17, SecureSpotPrice = 0.13, CommunitySpotPrice = 0.09 },
        new() { Id = "NVIDIA A100 80GB PCIe", DisplayName = "A100 PCIe", MemoryInGb = 80, SecurePrice = 1.64, CommunityPrice = 1.19, SecureSpotPrice = 0.82, CommunitySpotPrice = 0.6, CommunityCloud = true },
        new() { Id = "NVIDIA H100 80GB HBM3", DisplayName = "H100 SXM", MemoryInGb = 80, SecurePrice = 2.99, CommunityPrice = 2.69, SecureSpotPrice = 1.75, CommunitySpotPrice = 1.5, CommunityCloud = false },
    ];
}
