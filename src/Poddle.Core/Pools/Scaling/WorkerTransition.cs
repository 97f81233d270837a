namespace Poddle.Core.Pools.Scaling;

/// <summary>One move of a worker from <paramref name="From"/> to <paramref name="To"/>: the event the pool records.</summary>
/// <param name="WorkerId">The worker that moved.</param>
/// <param name="From">Its state before.</param>
/// <param name="To">Its state after.</param>
/// <param name="Reason">Why, in a few words (a <see cref="WorkerTransitionReasons"/> value or a driver's message).</param>
/// <param name="At">When, by the clock.</param>
public sealed record WorkerTransition(string WorkerId, WorkerState From, WorkerState To, string Reason, DateTimeOffset At);
