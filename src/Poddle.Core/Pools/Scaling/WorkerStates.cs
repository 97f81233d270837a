namespace Poddle.Core.Pools.Scaling;

/// <summary>Wire names of <see cref="WorkerState"/> (API, events, <c>poddle pools get</c>): stable kebab-case values.</summary>
public static class WorkerStates
{
    public const string Spawning = "spawning";
    public const string Initializing = "initializing";
    public const string Idle = "idle";
    public const string Running = "running";
    public const string Draining = "draining";
    public const string Terminating = "terminating";
    public const string Terminated = "terminated";
    public const string Failed = "failed";

    /// <summary>The wire name of <paramref name="state"/>.</summary>
    public static string Of(WorkerState state) => state switch
    {
        WorkerState.Spawning => Spawning,
        WorkerState.Initializing => Initializing,
        WorkerState.Idle => Idle,
        WorkerState.Running => Running,
        WorkerState.Draining => Draining,
        WorkerState.Terminating => Terminating,
        WorkerState.Terminated => Terminated,
        WorkerState.Failed => Failed,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown worker state."),
    };

    /// <summary>The state named <paramref name="name"/>, or null for a name that is none.</summary>
    public static WorkerState? Parse(string? name) => name switch
    {
        Spawning => WorkerState.Spawning,
        Initializing => WorkerState.Initializing,
        Idle => WorkerState.Idle,
        Running => WorkerState.Running,
        Draining => WorkerState.Draining,
        Terminating => WorkerState.Terminating,
        Terminated => WorkerState.Terminated,
        Failed => WorkerState.Failed,
        _ => null,
    };
}
