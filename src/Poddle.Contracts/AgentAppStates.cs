namespace Poddle.Contracts;

/// <summary>The states of the app a pod agent supervises (<see cref="AgentAppState.State"/>).</summary>
public static class AgentAppStates
{
    /// <summary>Being started (first start or a restart).</summary>
    public const string Starting = "starting";

    public const string Running = "running";

    /// <summary>Exited and waiting out the back-off before the next restart.</summary>
    public const string Backoff = "backoff";

    /// <summary>Stopped on request (the agent is shutting down).</summary>
    public const string Stopped = "stopped";

    /// <summary>Exited and not restarted.</summary>
    public const string Exited = "exited";
}
