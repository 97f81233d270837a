namespace Poddle.Core.Pools.Runtime;

/// <summary>The pool controller's settings (section "Pools:Controller", checked by <see cref="PoolControllerOptionsValidator"/>).</summary>
public sealed class PoolControllerOptions
{
    public const string SectionName = "Pools:Controller";

    /// <summary>Whether this server runs the pool controller at all (off: pools queue jobs, nothing starts workers; tests that bring their own workers).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The periodic pass over every pool, besides the passes events trigger at once (a job queued, taken or finished, a
    /// worker's stop request) and the ones a decision's RecheckAt or a worker's liveness deadline schedule. It is how
    /// the leader learns of jobs submitted to another server.
    /// </summary>
    public TimeSpan Tick { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a started worker may take to make its first request before it counts as lost (its pod starting, its runtime loading).</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Events kept per pool (worker transitions and decisions); older ones are trimmed.</summary>
    public int EventsKept { get; set; } = 200;
}
