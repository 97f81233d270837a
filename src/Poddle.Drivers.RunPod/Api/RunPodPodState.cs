namespace Poddle.Drivers.RunPod.Api;

/// <summary>The handle's <c>DriverState</c> (version 1): what resuming the pod needs.</summary>
/// <param name="GpuCount">GPUs rented.</param>
/// <param name="BidPerGpu">The spot bid; null for an on-demand pod.</param>
/// <param name="Port">The spec's port, whose mapping is the pod's endpoint.</param>
public sealed record RunPodPodState(int GpuCount, decimal? BidPerGpu, int? Port);
