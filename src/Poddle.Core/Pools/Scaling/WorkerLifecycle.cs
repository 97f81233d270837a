using System.Collections.Frozen;
using Poddle.Core.Common;

namespace Poddle.Core.Pools.Scaling;

/// <summary>
/// The worker state machine: every allowed move is in <see cref="Allowed"/>, and <see cref="Move"/> is the one way to
/// make one, refusing any other with <see cref="WorkerErrorCodes.InvalidTransition"/>. Invariants the table holds:
/// <see cref="WorkerState.Terminated"/> and <see cref="WorkerState.Failed"/> are final; a worker that was told to drain
/// never takes a job again (draining leads only to terminating or failed); any live worker can fail.
/// </summary>
public static class WorkerLifecycle
{
    /// <summary>From each state, the states a worker may move to.</summary>
    public static readonly FrozenDictionary<WorkerState, FrozenSet<WorkerState>> Allowed = new Dictionary<WorkerState, FrozenSet<WorkerState>>
    {
        // Terminating straight from spawning or initializing: the pool is removed, or scaled to zero, before the pod is up.
        [WorkerState.Spawning] = Set(WorkerState.Initializing, WorkerState.Terminating, WorkerState.Failed),
        // The first poll may already return a job (RunPod's SDK asks for one straight away): initializing → running.
        [WorkerState.Initializing] = Set(WorkerState.Idle, WorkerState.Running, WorkerState.Terminating, WorkerState.Failed),
        [WorkerState.Idle] = Set(WorkerState.Running, WorkerState.Draining, WorkerState.Terminating, WorkerState.Failed),
        // Running → terminating: the job ran past its execution timeout and the worker is stopped with it.
        [WorkerState.Running] = Set(WorkerState.Idle, WorkerState.Draining, WorkerState.Terminating, WorkerState.Failed),
        [WorkerState.Draining] = Set(WorkerState.Terminating, WorkerState.Failed),
        [WorkerState.Terminating] = Set(WorkerState.Terminated, WorkerState.Failed),
        [WorkerState.Terminated] = Set(),
        [WorkerState.Failed] = Set(),
    }.ToFrozenDictionary();

    /// <summary>Whether a worker in <paramref name="from"/> may move to <paramref name="to"/>.</summary>
    public static bool CanMove(WorkerState from, WorkerState to) => Allowed.TryGetValue(from, out var next) && next.Contains(to);

    /// <summary>Whether <paramref name="state"/> is final (no move leaves it).</summary>
    public static bool IsFinal(WorkerState state) => Allowed[state].Count == 0;

    /// <summary>
    /// Moves worker <paramref name="workerId"/> from <paramref name="from"/> to <paramref name="to"/> at the clock's
    /// time: the transition event, or a conflict naming both states when the table does not allow the move.
    /// </summary>
    public static Result<WorkerTransition> Move(string workerId, WorkerState from, WorkerState to, string reason, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        ArgumentNullException.ThrowIfNull(time);
        if (!CanMove(from, to))
        {
            return Error.Conflict(
                WorkerErrorCodes.InvalidTransition,
                $"Worker '{workerId}' cannot go from {WorkerStates.Of(from)} to {WorkerStates.Of(to)}.");
        }

        return new WorkerTransition(workerId, from, to, reason, time.GetUtcNow());
    }

    private static FrozenSet<WorkerState> Set(params WorkerState[] states) => states.ToFrozenSet();
}
