using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Pools.Gpus;

/// <summary>One place a GPU worker may be started at: a GPU type in a cloud type.</summary>
public sealed record PoolGpuPlacement(string GpuType, PodCloudType CloudType)
{
    /// <summary>"NVIDIA RTX A4000 (secure)", as events name it.</summary>
    public override string ToString() => $"{GpuType} ({PoolGpuValidation.CloudTypeName(CloudType)})";
}
