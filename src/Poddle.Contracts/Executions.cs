namespace Poddle.Contracts;

/// <summary>POST /api/execution/submit. Network access is server policy, never a request field.</summary>
public sealed record SubmitExecutionRequest(
    string? Language,
    string? Code,
    string? Stdin = null,
    IReadOnlyList<string>? Args = null,
    ExecutionLimitsRequest? Limits = null);

/// <summary>Limits a client may ask for, within the server's maximums; null takes the server's default.</summary>
public sealed record ExecutionLimitsRequest(int? CpuMs = null, int? WallMs = null, int? MemoryMb = null);

/// <summary>202 Accepted: the program is queued.</summary>
public sealed record ExecutionSubmittedResponse(Guid JobId, string Status);

/// <summary>
/// An execution and, once done, its result. Top-level fields describe the run step, or the compile step when
/// compiling failed. <c>Encoding</c> says how stdout, stderr and output are written: "utf-8" (invalid sequences
/// replaced) or "base64" (the exact bytes; <c>?encoding=base64</c>).
/// </summary>
public sealed record ExecutionResultResponse(
    Guid JobId,
    string Status,
    string Language,
    string? Version,
    string? Verdict,
    int? ExitCode,
    string? Signal,
    long? CpuMs,
    long? WallMs,
    long? MemoryKb,
    string? Stdout,
    string? Stderr,
    bool StdoutTruncated,
    bool StderrTruncated,
    string? Output,
    long? Time,
    string Encoding,
    ExecutionStepResponse? Compile,
    string? Message,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt);

/// <summary>One step (the compile step of a compiled language).</summary>
public sealed record ExecutionStepResponse(
    string Verdict,
    int? ExitCode,
    string? Signal,
    long CpuMs,
    long WallMs,
    long MemoryKb,
    string Stdout,
    string Stderr,
    bool StdoutTruncated,
    bool StderrTruncated);

/// <summary>GET /api/execution/runtimes.</summary>
public sealed record RuntimeResponse(string Language, string Version, IReadOnlyList<string> Aliases, bool Compiled);

/// <summary>GET /api/execution/queue/stats.</summary>
public sealed record ExecutionQueueStatsResponse(
    int Depth,
    int Processing,
    int CompletedLastMinute,
    int FailedLastMinute,
    double? WaitP50Ms,
    double? WaitP95Ms,
    double? RunP50Ms,
    double? RunP95Ms,
    IReadOnlyList<WarmPoolResponse> Pools,
    string Isolation,
    string IsolationDetail);

/// <summary>The warm pool of one language.</summary>
public sealed record WarmPoolResponse(string Language, int Ready, int Target, long Hits, long Misses, double HitRate);
