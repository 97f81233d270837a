namespace Poddle.Core.Pools.Scaling;

/// <summary>A worker as the engine sees it: its state and, when idle, since when.</summary>
/// <param name="WorkerId">The worker's id (what a drain names).</param>
/// <param name="State">Its lifecycle state.</param>
/// <param name="IdleSince">When an idle worker last finished a job (or became ready); null counts as "now".</param>
public sealed record PoolWorkerView(string WorkerId, WorkerState State, DateTimeOffset? IdleSince = null);
