namespace Poddle.Core.Pools.Scaling;

/// <summary>
/// Where a pool worker is in its life. The allowed moves between states are in <see cref="WorkerLifecycle"/> and
/// nowhere else; <see cref="WorkerStates"/> holds each state's wire name.
/// </summary>
public enum WorkerState
{
    /// <summary>The driver was asked to start the pod; nothing has answered yet.</summary>
    Spawning,

    /// <summary>The pod runs and loads (image pulled, handler starting); it has not asked for a job yet.</summary>
    Initializing,

    /// <summary>Ready and holding no job.</summary>
    Idle,

    /// <summary>Holding a job.</summary>
    Running,

    /// <summary>Takes no new job; finishes the one it holds (if any), then stops.</summary>
    Draining,

    /// <summary>The driver was asked to stop the pod.</summary>
    Terminating,

    /// <summary>Stopped and destroyed; final.</summary>
    Terminated,

    /// <summary>Crashed, failed to start, or went silent; final (the pool replaces it and re-queues its job).</summary>
    Failed,
}
