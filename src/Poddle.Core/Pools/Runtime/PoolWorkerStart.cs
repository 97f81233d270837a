using Poddle.Core.Pools.Gpus;

namespace Poddle.Core.Pools.Runtime;

/// <summary>How a worker's pod was placed (<see cref="PoolWorkerPods.StartAsync"/>).</summary>
/// <param name="Placement">The GPU type and cloud type it runs at; null for a pool without GPUs.</param>
/// <param name="Refused">The candidates tried before, in order, that the provider had no machine for.</param>
public sealed record PoolWorkerStart(PoolGpuPlacement? Placement, IReadOnlyList<PoolGpuPlacement> Refused);
