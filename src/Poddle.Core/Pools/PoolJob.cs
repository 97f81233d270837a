namespace Poddle.Core.Pools;

/// <summary>
/// One serverless job of a pool (RunPod's request): queued by /run or /runsync, taken by a worker (IN_PROGRESS, held
/// by <see cref="WorkerId"/>), finished by the worker's result, a cancel or a timeout. Delivery is at least once: a job
/// whose worker is lost goes back to the queue (<see cref="Retries"/> counts it). Kept until <see cref="ExpiresAt"/>
/// (its ttl), then deleted by maintenance. <see cref="Status"/> is the concurrency token: every transition is a
/// compare-and-set on it, so a result racing a cancel or a requeue changes the job once.
/// </summary>
public sealed class PoolJob
{
    public Guid Id { get; init; }

    public Guid PoolId { get; init; }

    /// <summary>A <see cref="PoolJobStatuses"/> value.</summary>
    public required string Status { get; set; }

    /// <summary>The request's <c>input</c>, as JSON text (what the worker receives).</summary>
    public required string InputJson { get; set; }

    /// <summary>The worker's <c>output</c> as JSON text; null until it reports one.</summary>
    public string? OutputJson { get; set; }

    /// <summary>The worker's <c>error</c> (RunPod's SDK sends a JSON string of the exception), or why Poddle failed it.</summary>
    public string? Error { get; set; }

    /// <summary>Where the final status is POSTed once (with retries); null for none.</summary>
    public string? Webhook { get; init; }

    /// <summary>The job's run limit (its policy's, or its pool's), milliseconds.</summary>
    public long ExecutionTimeoutMs { get; init; }

    /// <summary>The worker holding it while IN_PROGRESS; the last one afterwards.</summary>
    public string? WorkerId { get; set; }

    /// <summary>Times it went back to the queue because its worker was lost.</summary>
    public int Retries { get; set; }

    /// <summary>Stream chunks posted so far (the next one's <see cref="PoolJobStreamChunk.Sequence"/>).</summary>
    public int StreamChunks { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was (last) queued: its creation, or its requeue; delayTime counts from here.</summary>
    public DateTimeOffset QueuedAt { get; set; }

    /// <summary>When its current worker took it.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When its current run passes its execution timeout (<see cref="StartedAt"/> + <see cref="ExecutionTimeoutMs"/>).</summary>
    public DateTimeOffset? TimeoutAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>Milliseconds it waited in the queue before the worker that ran it took it (RunPod's delayTime).</summary>
    public long? DelayTimeMs { get; set; }

    /// <summary>Milliseconds from being taken to its final status (RunPod's executionTime).</summary>
    public long? ExecutionTimeMs { get; set; }

    /// <summary>
    /// The W3C trace context (traceparent) of its submission, so the spans of its take and its result, in other
    /// requests, join the submission's trace (<see cref="PoolTracing"/>); null when it was submitted untraced.
    /// </summary>
    public string? TraceParent { get; init; }

    /// <summary>Its submission plus its ttl: deleted after this, whatever its status.</summary>
    public DateTimeOffset ExpiresAt { get; set; }
}
