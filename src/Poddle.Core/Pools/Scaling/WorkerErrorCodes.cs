namespace Poddle.Core.Pools.Scaling;

/// <summary>Error codes of the worker lifecycle (stable kebab-case wire values).</summary>
public static class WorkerErrorCodes
{
    /// <summary>The worker cannot go from its state to the one asked for (e.g. a terminated worker taking a job).</summary>
    public const string InvalidTransition = "invalid-worker-transition";
}
