using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Poddle.Core.Persistence;

namespace Poddle.Core.Jobs;

/// <summary>How to enqueue one job; every value is optional.</summary>
public sealed record EnqueueOptions(DateTimeOffset? RunAt = null, string? IdempotencyKey = null, int? MaxAttempts = null);

/// <summary>The job, and whether this call created it (false: a job with the same idempotency key already existed).</summary>
public sealed record Enqueued(Job Job, bool Created);

/// <summary>One job kind's state: due and waiting, scheduled for later, running, dead, and how long the oldest due job has waited.</summary>
public sealed record QueueStats(string Kind, int Depth, int Scheduled, int Running, int Dead, TimeSpan? OldestWaiting);

/// <summary>
/// Puts jobs in the durable queue. <see cref="EnqueueAsync"/> only adds the job to the caller's
/// <see cref="PoddleDbContext"/>: it is written by the caller's SaveChanges, in the caller's transaction, so a job
/// exists exactly when the change that caused it does.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is the job queue; the name is the domain's.")]
public sealed class JobQueue(
    PoddleDbContext db,
    JobSignal signal,
    IDatabaseErrors databaseErrors,
    IOptions<JobsOptions> options,
    TimeProvider clock)
{
    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    private bool _subscribed;

    /// <summary>
    /// Adds a job to the caller's unit of work without saving. With an idempotency key that an existing (or already
    /// added) job holds, nothing is added and that job is returned. Two transactions racing with the same key: the
    /// second SaveChanges fails with a unique violation (use <see cref="EnqueueAndSaveAsync"/> where that race is expected).
    /// </summary>
    public async Task<Enqueued> EnqueueAsync(string kind, string? payloadJson = null, EnqueueOptions? enqueue = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        enqueue ??= new EnqueueOptions();
        if (enqueue.IdempotencyKey is { } key && await FindByKeyAsync(key, cancellationToken) is { } existing)
        {
            return new Enqueued(existing, false);
        }

        var now = clock.GetUtcNow();
        var job = new Job
        {
            Id = Guid.CreateVersion7(now),
            Kind = kind,
            Payload = payloadJson,
            IdempotencyKey = enqueue.IdempotencyKey,
            State = JobState.Queued,
            MaxAttempts = enqueue.MaxAttempts ?? options.Value.MaxAttempts,
            RunAt = enqueue.RunAt ?? now,
            CreatedAt = now,
        };
        db.Set<Job>().Add(job);
        if (job.RunAt <= now)
        {
            WakeWorkersOnCommit(kind);
        }

        return new Enqueued(job, true);
    }

    /// <summary><see cref="EnqueueAsync"/> with a payload serialized as JSON (web defaults: camelCase).</summary>
    public Task<Enqueued> EnqueueAsync<TPayload>(string kind, TPayload payload, EnqueueOptions? enqueue = null, CancellationToken cancellationToken = default) =>
        EnqueueAsync(kind, JsonSerializer.Serialize(payload, PayloadJson), enqueue, cancellationToken);

    /// <summary>
    /// Enqueues and saves at once (with whatever else the context holds). A concurrent enqueue with the same
    /// idempotency key is not an error: the job that won is returned. Must not run inside a caller's transaction
    /// on PostgreSQL, where the failed insert would abort it.
    /// </summary>
    public async Task<Enqueued> EnqueueAndSaveAsync(string kind, string? payloadJson = null, EnqueueOptions? enqueue = null, CancellationToken cancellationToken = default)
    {
        var result = await EnqueueAsync(kind, payloadJson, enqueue, cancellationToken);
        if (!result.Created)
        {
            return result;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return result;
        }
        catch (DbUpdateException ex) when (enqueue?.IdempotencyKey is { } key && databaseErrors.IsUniqueViolation(ex))
        {
            db.Entry(result.Job).State = EntityState.Detached;
            var winner = await db.Set<Job>().AsNoTracking().SingleAsync(j => j.IdempotencyKey == key, cancellationToken);
            return new Enqueued(winner, false);
        }
    }

    /// <summary>Per kind: queued and due (depth), queued for later, running, dead, and the age of the oldest due job.</summary>
    public async Task<IReadOnlyList<QueueStats>> GetStatsAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var jobs = db.Set<Job>().AsNoTracking();
        var counts = await jobs
            .Where(j => j.State != JobState.Succeeded)
            .GroupBy(j => new { j.Kind, j.State })
            .Select(g => new { g.Key.Kind, g.Key.State, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var scheduled = await jobs
            .Where(j => j.State == JobState.Queued && j.RunAt > now)
            .GroupBy(j => j.Kind)
            .Select(g => new { Kind = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Kind, g => g.Count, StringComparer.Ordinal, cancellationToken);

        var stats = new List<QueueStats>();
        foreach (var kind in counts.Select(c => c.Kind).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            int Count(JobState state) => counts.Where(c => c.Kind == kind && c.State == state).Sum(c => c.Count);
            var later = scheduled.GetValueOrDefault(kind);
            var depth = Count(JobState.Queued) - later;
            TimeSpan? oldest = null;
            if (depth > 0)
            {
                // One small indexed query per kind: EF cannot take MIN over SQLite's converted timestamps.
                var oldestRunAt = await jobs
                    .Where(j => j.Kind == kind && j.State == JobState.Queued && j.RunAt <= now)
                    .OrderBy(j => j.RunAt)
                    .Select(j => j.RunAt)
                    .FirstAsync(cancellationToken);
                oldest = now - oldestRunAt;
            }

            stats.Add(new QueueStats(kind, depth, later, Count(JobState.Running), Count(JobState.Dead), oldest));
        }

        return stats;
    }

    private async Task<Job?> FindByKeyAsync(string key, CancellationToken cancellationToken) =>
        db.Set<Job>().Local.FirstOrDefault(j => j.IdempotencyKey == key)
        ?? await db.Set<Job>().AsNoTracking().FirstOrDefaultAsync(j => j.IdempotencyKey == key, cancellationToken);

    private void WakeWorkersOnCommit(string kind)
    {
        JobCommitInterceptor.WakeAfterCommit(db, signal, kind);
        if (!_subscribed)
        {
            _subscribed = true;
            db.SavedChanges += (_, _) => JobCommitInterceptor.WakeIfCommitted(db);
        }
    }
}
