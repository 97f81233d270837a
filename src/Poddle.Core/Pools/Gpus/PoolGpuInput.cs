namespace Poddle.Core.Pools.Gpus;

/// <summary>
/// A pool's GPUs as asked for (unvalidated): GPU types in order of preference (the capacity fallback list), GPUs per
/// worker, cloud types in order of preference ("secure", "community", "all") and an optional spot bid per GPU-hour.
/// </summary>
public sealed record PoolGpuInput(IReadOnlyList<string>? Types = null, int? Count = null, IReadOnlyList<string>? CloudTypes = null, decimal? SpotBid = null);
