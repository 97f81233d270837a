using System.Globalization;

namespace Poddle.Core.Pools.Scaling;

/// <summary>
/// What the engine decided at <paramref name="At"/>: the pool should have <paramref name="DesiredWorkers"/>;
/// start <paramref name="Spawn"/> workers and drain the workers in <paramref name="Drain"/> (idle ones only, never one
/// holding a job). Invariants: MinWorkers ≤ DesiredWorkers ≤ MaxWorkers (except that a reached budget, rule
/// budget-reached, holds DesiredWorkers at the current count even below MinWorkers); Spawn &gt; 0 and Drain non-empty never
/// together; CurrentWorkers + Spawn - Drain.Count ≥ DesiredWorkers when scaling down (idle workers not yet past their
/// idle timeout stay until they are).
/// </summary>
/// <param name="At">The clock's time of the decision.</param>
/// <param name="CurrentWorkers">Workers counted as capacity: spawning, initializing, idle and running.</param>
/// <param name="DesiredWorkers">How many workers the pool should have.</param>
/// <param name="Spawn">Workers to start now.</param>
/// <param name="Drain">Idle workers to drain now (ids).</param>
/// <param name="Rule">The <see cref="ScalingRules"/> value that set the outcome.</param>
/// <param name="Inputs">What it was decided from.</param>
/// <param name="RecheckAt">When the decision could change with no new event (an idle timeout, the queue-delay target,
/// a window's edge): the caller's next tick is due then at the latest. Null when only an event can change it.</param>
public sealed record ScalingDecision(
    DateTimeOffset At,
    int CurrentWorkers,
    int DesiredWorkers,
    int Spawn,
    IReadOnlyList<string> Drain,
    string Rule,
    ScalingInputs Inputs,
    DateTimeOffset? RecheckAt)
{
    /// <summary>Whether the decision asks for any action.</summary>
    public bool Acts => Spawn > 0 || Drain.Count > 0;

    /// <summary>One line for the pool's event and <c>poddle pools get</c>, e.g.
    /// <c>spawn 2 (4 → 6 workers) by queue-delay-exceeded: queued 6, oldest wait 4.5 s, in progress 4; starting 0, idle 0, busy 4, draining 0</c>.</summary>
    public string Describe()
    {
        var action = Spawn > 0 ? $"spawn {Spawn}" : Drain.Count > 0 ? $"drain {Drain.Count}" : "hold";
        return string.Create(CultureInfo.InvariantCulture,
            $"{action} ({CurrentWorkers} → {DesiredWorkers} workers) by {Rule}: queued {Inputs.QueuedJobs}, oldest wait {Inputs.OldestQueuedWait.TotalSeconds:0.#} s, " +
            $"in progress {Inputs.InProgressJobs}; starting {Inputs.Starting}, idle {Inputs.Idle}, busy {Inputs.Busy}, draining {Inputs.Draining}");
    }
}
