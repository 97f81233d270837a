namespace Poddle.Core.Pools;

/// <summary>A serverless job's status, spelled as RunPod's API spells it (wire values, stored as they are).</summary>
public static class PoolJobStatuses
{
    public const string InQueue = "IN_QUEUE";
    public const string InProgress = "IN_PROGRESS";
    public const string Completed = "COMPLETED";
    public const string Failed = "FAILED";
    public const string Cancelled = "CANCELLED";
    public const string TimedOut = "TIMED_OUT";

    /// <summary>True for a status a job never leaves (except by an explicit retry of a failed or timed-out one).</summary>
    public static bool IsFinal(string status) => status is Completed or Failed or Cancelled or TimedOut;
}
