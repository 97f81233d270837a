namespace Poddle.Drivers.RunPod;

/// <summary>RunPod's <c>PodStatus</c> values (a pod's <c>desiredStatus</c>).</summary>
public static class RunPodStatuses
{
    /// <summary>Rented, the container not started yet.</summary>
    public const string Created = "CREATED";

    /// <summary>Asked to run: running once <c>runtime</c> is there.</summary>
    public const string Running = "RUNNING";

    /// <summary>Restarting its container.</summary>
    public const string Restarting = "RESTARTING";

    /// <summary>Stopped (podStop, or a spot pod outbid); the volume is kept.</summary>
    public const string Exited = "EXITED";

    /// <summary>Paused.</summary>
    public const string Paused = "PAUSED";

    /// <summary>Its machine is gone.</summary>
    public const string Dead = "DEAD";

    /// <summary>Terminated: gone for good.</summary>
    public const string Terminated = "TERMINATED";
}
