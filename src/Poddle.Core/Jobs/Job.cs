namespace Poddle.Core.Jobs;

/// <summary>Where a job is in its life. Stored as a string so hand-written SQL (the claim) can name the states.</summary>
public enum JobState
{
    /// <summary>Waiting for <see cref="Job.RunAt"/>; visible to workers once it is due.</summary>
    Queued,

    /// <summary>Leased by a worker until <see cref="Job.LeaseExpiresAt"/>; visible again once the lease expires.</summary>
    Running,

    Succeeded,

    /// <summary>Failed <see cref="Job.MaxAttempts"/> times (or has no handler); never retried automatically.</summary>
    Dead,
}

/// <summary>
/// One unit of background work in the durable queue (table "jobs"). Delivery is at least once: a handler may see
/// the same job twice (a worker killed after the work but before completing), so handlers are idempotent.
/// Invariant: <see cref="LeaseOwner"/> and <see cref="LeaseExpiresAt"/> are set while <see cref="State"/> is Running;
/// a worker may change a running job only while <see cref="LeaseOwner"/> is still its own claim token.
/// </summary>
public sealed class Job
{
    public const int MaxKindLength = 100;
    public const int MaxIdempotencyKeyLength = 200;
    public const int MaxErrorLength = 4000;
    public const int MaxLeaseOwnerLength = 200;

    public Guid Id { get; init; }

    /// <summary>Selects the <see cref="IJobHandler"/>, e.g. "poddle.maintenance".</summary>
    public required string Kind { get; init; }

    /// <summary>JSON text the handler reads; null when the kind needs none.</summary>
    public string? Payload { get; init; }

    /// <summary>Unique when set: enqueueing a second job with the same key is a no-op.</summary>
    public string? IdempotencyKey { get; init; }

    public JobState State { get; set; }

    /// <summary>Deliveries so far (incremented at every claim, including re-claims after an expired lease).</summary>
    public int Attempts { get; set; }

    public int MaxAttempts { get; init; }

    /// <summary>Not before this instant (scheduled jobs, retry back-off).</summary>
    public DateTimeOffset RunAt { get; set; }

    /// <summary>The claim token of the worker holding (or, once finished, last holding) the job: "{host}:{pid}:{claim}".</summary>
    public string? LeaseOwner { get; set; }

    public DateTimeOffset? LeaseExpiresAt { get; set; }

    /// <summary>The last failure, truncated to <see cref="MaxErrorLength"/> characters.</summary>
    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the latest attempt started.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When the job succeeded or died.</summary>
    public DateTimeOffset? CompletedAt { get; set; }
}

/// <summary>
/// A cron schedule that enqueues a job of <see cref="Kind"/> at every occurrence (table "recurring_jobs"). The
/// scheduler enqueues with the idempotency key "recurring:{name}:{occurrence}", so several servers sharing the
/// database enqueue each occurrence once.
/// </summary>
public sealed class RecurringJob
{
    public const int MaxNameLength = 100;

    public required string Name { get; init; }

    /// <summary>Five-field cron (minute hour day month weekday), evaluated in UTC.</summary>
    public required string Cron { get; set; }

    public required string Kind { get; set; }

    public string? Payload { get; set; }

    /// <summary>The next occurrence not yet enqueued.</summary>
    public DateTimeOffset NextRunAt { get; set; }

    public bool Enabled { get; set; } = true;
}
