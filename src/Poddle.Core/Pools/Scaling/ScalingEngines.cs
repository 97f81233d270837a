using System.Collections.Concurrent;

namespace Poddle.Core.Pools.Scaling;

/// <summary>
/// One <see cref="ScalingEngine"/> per pool, for the wiring: an engine keeps only the recent recommendations its
/// windows need, in memory (as the HPA controller does), so a server that restarts, or a pool whose autoscaling moves
/// to another server, starts with empty windows: it reacts at once to load and waits a full down window before the
/// first scale-down.
/// </summary>
public sealed class ScalingEngines(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ScalingEngine> _engines = new(StringComparer.Ordinal);

    /// <summary>The engine of <paramref name="poolId"/>, created on first use.</summary>
    public ScalingEngine For(string poolId) => _engines.GetOrAdd(poolId, _ => new ScalingEngine(time));

    /// <summary>Forgets a removed pool's engine.</summary>
    public void Remove(string poolId) => _engines.TryRemove(poolId, out _);
}
