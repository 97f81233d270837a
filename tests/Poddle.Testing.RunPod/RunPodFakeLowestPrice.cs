namespace Poddle.Testing.RunPod;

/// <summary>RunPod's <c>LowestPrice</c> of a GPU type for a GPU count.</summary>
public sealed record RunPodFakeLowestPrice(string GpuName, string GpuTypeId, double MinimumBidPrice, double UninterruptablePrice, string StockStatus);
