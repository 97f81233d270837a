namespace Poddle.Agent.Supervisor;

/// <summary>When the supervisor starts the app again after it exits.</summary>
public enum RestartPolicy
{
    /// <summary>After any exit, 0 included.</summary>
    Always,

    /// <summary>After a non-zero exit (a signal counts as one); exit 0 ends the agent with 0.</summary>
    OnFailure,

    /// <summary>Never: the agent exits with the app's code.</summary>
    Never,
}
