using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Pools.Gpus;

/// <summary>
/// A pool's GPUs, validated (<see cref="PoolGpuValidation"/>): at least one GPU type, in order of preference, GPUs per
/// worker, cloud types in order of preference (never empty: <see cref="PodCloudType.Any"/> when none was asked for), and
/// a spot bid per GPU-hour (null: on demand). Stored in the pool's spec JSON.
/// </summary>
/// <remarks>
/// Invariant: a worker's pod is placed at one (type, cloud) of <see cref="Candidates"/>(); a start refused for capacity
/// tries the next one (the controller's fallback, docs/pools.md "GPU pools").
/// </remarks>
public sealed record PoolGpuSpec(IReadOnlyList<string> Types, int Count, IReadOnlyList<PodCloudType> CloudTypes, decimal? SpotBidPerGpu)
{
    /// <summary>Where a worker may be placed, in the order tried: every GPU type in the first cloud type, then in the next.</summary>
    public IEnumerable<PoolGpuPlacement> Candidates() =>
        CloudTypes.SelectMany(cloud => Types.Select(type => new PoolGpuPlacement(type, cloud)));

    /// <summary>The pod spec's GPU and placement for <paramref name="candidate"/>.</summary>
    public PodSpec ApplyTo(PodSpec spec, PoolGpuPlacement candidate)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(candidate);
        return spec with { Gpu = new PodGpu(Count, candidate.GpuType), Placement = new PodPlacement(candidate.CloudType, SpotBidPerGpu) };
    }
}
