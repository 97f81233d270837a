namespace Poddle.Drivers.RunPod.Api;

/// <summary>RunPod's <c>LowestPrice</c> of a GPU type for a GPU count.</summary>
public sealed record RunPodLowestPrice(double? MinimumBidPrice, double? UninterruptablePrice, string? StockStatus);
