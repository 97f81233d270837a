namespace Poddle.Core.Jobs;

/// <summary>
/// Runs jobs of one <see cref="Kind"/>. Delivery is at least once, so a handler must be idempotent: keyed by the
/// entity it acts on, it must leave the same result when it runs twice. Throwing fails the attempt (retried with
/// back-off); the cancellation token fires when the server stops or the worker lost its lease.
/// Handlers are resolved from a fresh DI scope per job, so scoped services (the DbContext) are safe to inject.
/// </summary>
public interface IJobHandler
{
    string Kind { get; }

    Task HandleAsync(JobContext context, CancellationToken cancellationToken);
}

/// <summary>What a handler knows about the job it runs.</summary>
public sealed record JobContext(Guid JobId, string Kind, string? Payload, int Attempt, int MaxAttempts, string LeaseOwner);

/// <summary>
/// The atomic "take the next visible job" step: a due queued job, or a running job whose lease expired.
/// Provider-specific because it is where concurrency is decided (FOR UPDATE SKIP LOCKED on PostgreSQL,
/// the single writer on SQLite).
/// </summary>
public interface IJobClaimer
{
    /// <summary>
    /// True when one server owns the queue (SQLite): every job left running by an earlier process was that server's, so at
    /// start it may take them all back (<see cref="JobProcessor.TakeBackInterruptedAsync"/>). False when several servers may
    /// share it (PostgreSQL): only a lease carrying this server's own instance id may be taken back before it expires.
    /// </summary>
    bool OwnedByOneServer { get; }

    /// <summary>
    /// Marks one visible job of a kind <paramref name="kinds"/> matches Running, owned by <paramref name="leaseOwner"/>
    /// until <paramref name="leaseExpiresAt"/>, increments its attempts and returns it (untracked); null when no such
    /// job is visible at <paramref name="now"/>.
    /// </summary>
    Task<Job?> ClaimAsync(Persistence.PoddleDbContext db, string leaseOwner, DateTimeOffset now, DateTimeOffset leaseExpiresAt, JobKindFilter kinds, CancellationToken cancellationToken);
}
