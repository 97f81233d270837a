namespace Poddle.Core.Executions;

/// <summary>The stable error codes of code execution.</summary>
public static class ExecutionErrorCodes
{
    /// <summary>Over the per-user or per-client execution rate; comes with Retry-After.</summary>
    public const string RateLimited = "rate-limited";
}
