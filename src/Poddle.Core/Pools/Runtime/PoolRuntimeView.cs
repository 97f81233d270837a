namespace Poddle.Core.Pools.Runtime;

/// <summary>What a pool's controller shows of it: its live workers (oldest first) and its recent events (newest first).</summary>
public sealed record PoolRuntimeView(IReadOnlyList<PoolWorker> Workers, IReadOnlyList<PoolEvent> Events);
