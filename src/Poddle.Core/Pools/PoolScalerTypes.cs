namespace Poddle.Core.Pools;

/// <summary>How a pool's scaler decides (RunPod's two scaler types); wire values.</summary>
public static class PoolScalerTypes
{
    /// <summary>Add workers when a job has waited longer than the value, in seconds.</summary>
    public const string QueueDelay = "queueDelay";

    /// <summary>Keep one worker per value jobs (queued and running).</summary>
    public const string RequestCount = "requestCount";

    public static IReadOnlyList<string> All { get; } = [QueueDelay, RequestCount];
}
