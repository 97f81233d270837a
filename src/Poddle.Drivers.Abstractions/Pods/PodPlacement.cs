namespace Poddle.Drivers.Abstractions.Pods;

/// <summary>Where and how a provider's machine is rented (<see cref="PodSpec.Placement"/>).</summary>
/// <param name="CloudType">Which of the provider's clouds may host the pod.</param>
/// <param name="SpotBidPerGpu">
/// Null: on demand (never interrupted). A value: interruptible ("spot") at this bid in dollars per GPU-hour; the provider
/// may stop the pod when outbid.
/// </param>
public sealed record PodPlacement(PodCloudType CloudType = PodCloudType.Any, decimal? SpotBidPerGpu = null)
{
    /// <summary>Any cloud, on demand: what every driver does without being asked.</summary>
    public static PodPlacement Default { get; } = new();

    /// <summary>Interruptible at a bid.</summary>
    public bool IsSpot => SpotBidPerGpu is not null;
}
