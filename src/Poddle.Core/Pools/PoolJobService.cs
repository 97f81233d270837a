using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;

namespace Poddle.Core.Pools;

/// <summary>
/// The client side of a pool's serverless jobs (RunPod's /v2/{endpoint}/... API): submit, read, wait, stream, cancel,
/// retry, health, purge. Scoped to the pool's owner: another user's pool or job is "not found". Jobs live in the
/// database, so they survive a restart; transitions are compare-and-set on <see cref="PoolJob.Status"/>.
/// </summary>
public sealed partial class PoolJobService(
    PoddleDbContext db,
    JobQueue queue,
    PoolJobNotifier notifier,
    IOptions<PoolOptions> options,
    Scaling.PoolMetrics metrics,
    TimeProvider clock,
    ILogger<PoolJobService> logger)
{
    /// <summary>How often a waiter re-reads the database when no in-process signal comes (a worker on another server).</summary>
    internal static readonly TimeSpan FallbackPoll = TimeSpan.FromSeconds(2);

    public const int MaxWebhookLength = 2048;

    public async Task<Result<PoolJob>> SubmitAsync(Guid ownerId, Guid poolId, PoolJobSubmission request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pool = await FindPoolAsync(ownerId, poolId, cancellationToken);
        if (pool is null)
        {
            return Error.NotFound("Pool");
        }

        var errors = new FieldErrors();
        if (request.Input is null)
        {
            errors.Add(PoolJobFields.Input, "Required: the job's input (any JSON value), which the worker receives.");
        }
        else if (request.Input.Length > options.Value.MaxPayloadBytes)
        {
            return Error.TooLarge(PoolJobFields.Input, $"At most {options.Value.MaxPayloadBytes} bytes.");
        }

        if (request.Webhook is { } webhook && !IsWebhook(webhook))
        {
            errors.Add(PoolJobFields.Webhook, $"Must be an absolute http or https URL of at most {MaxWebhookLength} characters.");
        }

        var maxExecution = (long)options.Value.MaxExecutionTimeout.TotalMilliseconds;
        var maxTtl = (long)options.Value.MaxTtl.TotalMilliseconds;
        if (request.Policy?.ExecutionTimeout is < 1000 || request.Policy?.ExecutionTimeout > maxExecution)
        {
            errors.Add(PoolJobFields.ExecutionTimeout, $"Milliseconds between 1000 and {maxExecution}.");
        }

        if (request.Policy?.Ttl is < PoolValidation.MinTtlSeconds * 1000L || request.Policy?.Ttl > maxTtl)
        {
            errors.Add(PoolJobFields.Ttl, $"Milliseconds between {PoolValidation.MinTtlSeconds * 1000} and {maxTtl}.");
        }

        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        if (await db.PoolJobs.CountAsync(j => j.PoolId == poolId && j.Status == PoolJobStatuses.InQueue, cancellationToken) >= options.Value.MaxQueuedJobs)
        {
            return new Error(ErrorKind.RateLimited, PoolErrorCodes.QueueFull, $"The pool's queue holds {options.Value.MaxQueuedJobs} jobs already; retry later.", RetryAfter: TimeSpan.FromSeconds(5));
        }

        using var span = PoolTracing.StartSubmit(poolId);
        var now = clock.GetStoredUtcNow();
        var job = new PoolJob
        {
            Id = Guid.CreateVersion7(now),
            PoolId = poolId,
            Status = PoolJobStatuses.InQueue,
            InputJson = request.Input!,
            Webhook = request.Webhook,
            ExecutionTimeoutMs = request.Policy?.ExecutionTimeout ?? pool.ExecutionTimeoutSeconds * 1000L,
            CreatedAt = now,
            QueuedAt = now,
            ExpiresAt = now.AddMilliseconds(request.Policy?.Ttl ?? pool.TtlSeconds * 1000L),
            TraceParent = PoolTracing.ContextToKeep(span),
        };
        span?.SetTag(PoolTracing.JobIdTag, job.Id.ToString());
        db.PoolJobs.Add(job);
        await db.SaveChangesAsync(cancellationToken);
        notifier.JobQueued(poolId);
        LogSubmitted(logger, job.Id, poolId);
        return job;
    }

    /// <summary>The job as it is now (a run past its execution timeout is timed out first).</summary>
    public async Task<Result<PoolJob>> GetAsync(Guid ownerId, Guid poolId, Guid jobId, CancellationToken cancellationToken)
    {
        if (await FindPoolAsync(ownerId, poolId, cancellationToken) is null)
        {
            return Error.NotFound("Job");
        }

        await TimeOutOverdueAsync(poolId, cancellationToken);
        var job = await db.PoolJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId && j.PoolId == poolId, cancellationToken);
        return job is null ? Error.NotFound("Job") : job;
    }

    /// <summary>
    /// The job once it is final, or as it is when <paramref name="wait"/> has passed (/runsync, /status-sync). Woken by
    /// the completion signal in-process; re-reads every <see cref="FallbackPoll"/> only for a worker on another server.
    /// </summary>
    public async Task<Result<PoolJob>> WaitAsync(Guid ownerId, Guid poolId, Guid jobId, TimeSpan wait, CancellationToken cancellationToken)
    {
        var first = await GetAsync(ownerId, poolId, jobId, cancellationToken);
        if (!first.IsSuccess || PoolJobStatuses.IsFinal(first.Value.Status) || wait <= TimeSpan.Zero)
        {
            return first;
        }

        // The wait also ends at the job's execution deadline, so a timed-out job answers as TIMED_OUT rather than late.
        var job = await notifier.Finished.WaitAsync(
            jobId,
            async ct =>
            {
                await TimeOutOverdueAsync(poolId, ct);
                return await db.PoolJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId && j.PoolId == poolId, ct);
            },
            j => PoolJobStatuses.IsFinal(j.Status) || (j.TimeoutAt is { } at && at <= clock.GetUtcNow()),
            Clamp(wait),
            FallbackPoll,
            clock,
            cancellationToken);
        if (job is { Status: PoolJobStatuses.InProgress, TimeoutAt: { } deadline } && deadline <= clock.GetUtcNow())
        {
            await TimeOutOverdueAsync(poolId, cancellationToken);
            job = await db.PoolJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId && j.PoolId == poolId, cancellationToken);
        }

        return job is null ? Error.NotFound("Job") : job;
    }

    /// <summary>
    /// The stream chunks not yet handed out, in order, marked handed out; waits up to <see cref="PoolOptions.StreamWait"/>
    /// for one when there is none and the job is not final, so RunPod's clients (which ask again at once) do not spin.
    /// </summary>
    public async Task<Result<PoolJobStreamRead>> StreamAsync(Guid ownerId, Guid poolId, Guid jobId, CancellationToken cancellationToken)
    {
        var found = await GetAsync(ownerId, poolId, jobId, cancellationToken);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var job = found.Value;
        var chunks = await UndeliveredAsync(jobId, cancellationToken);
        if (chunks.Count == 0 && !PoolJobStatuses.IsFinal(job.Status) && options.Value.StreamWait > TimeSpan.Zero)
        {
            job = await notifier.Streamed.WaitAsync(
                jobId,
                ct => db.PoolJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, ct),
                j => PoolJobStatuses.IsFinal(j.Status) || j.StreamChunks > job.StreamChunks,
                options.Value.StreamWait,
                FallbackPoll,
                clock,
                cancellationToken) ?? job;
            chunks = await UndeliveredAsync(jobId, cancellationToken);
        }

        if (chunks.Count > 0)
        {
            var sequences = chunks.Select(c => c.Sequence).ToList();
            await db.Set<PoolJobStreamChunk>()
                .Where(c => c.JobId == jobId && sequences.Contains(c.Sequence))
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Delivered, true), cancellationToken);
        }

        // A final job with more chunks than one answer holds still reads as running, so its client asks again.
        var more = PoolJobStatuses.IsFinal(job.Status) && await db.Set<PoolJobStreamChunk>().AnyAsync(c => c.JobId == jobId && !c.Delivered, cancellationToken);
        return new PoolJobStreamRead(job, chunks, more);
    }

    /// <summary>Cancels a queued or running job (its worker's later result is ignored); a final job is returned as it is.</summary>
    public async Task<Result<PoolJob>> CancelAsync(Guid ownerId, Guid poolId, Guid jobId, CancellationToken cancellationToken) =>
        await TransitionAsync(ownerId, poolId, jobId, j => !PoolJobStatuses.IsFinal(j.Status), j => Finish(j, PoolJobStatuses.Cancelled, null, null), null, cancellationToken);

    /// <summary>Queues a failed or timed-out job again under its id (RunPod's /retry); another status is a 409.</summary>
    public async Task<Result<PoolJob>> RetryAsync(Guid ownerId, Guid poolId, Guid jobId, CancellationToken cancellationToken) =>
        await TransitionAsync(
            ownerId,
            poolId,
            jobId,
            j => j.Status is PoolJobStatuses.Failed or PoolJobStatuses.TimedOut,
            j => Requeue(j, clock.GetStoredUtcNow()),
            "Only a FAILED or TIMED_OUT job can be retried.",
            cancellationToken);

    public async Task<Result<PoolHealth>> HealthAsync(Guid ownerId, Guid poolId, CancellationToken cancellationToken)
    {
        if (await FindPoolAsync(ownerId, poolId, cancellationToken) is null)
        {
            return Error.NotFound("Pool");
        }

        await TimeOutOverdueAsync(poolId, cancellationToken);
        var counts = await db.PoolJobs.AsNoTracking()
            .Where(j => j.PoolId == poolId)
            .GroupBy(j => j.Status)
            .Select(g => new { Status = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var retried = await db.PoolJobs.CountAsync(j => j.PoolId == poolId && j.Retries > 0, cancellationToken);
        int Of(params string[] statuses) => counts.Where(c => statuses.Contains(c.Status)).Sum(c => c.Count);
        return new PoolHealth(
            new PoolJobCounts(Of(PoolJobStatuses.Completed), Of(PoolJobStatuses.Failed, PoolJobStatuses.TimedOut), Of(PoolJobStatuses.InProgress), Of(PoolJobStatuses.InQueue), retried),
            await WorkerCountsAsync(poolId, cancellationToken));
    }

    /// <summary>
    /// Workers by RunPod's states from the pool controller's rows: initializing = spawning or initializing; idle and
    /// ready = ready for a job and holding none; running = holding one (draining workers are counted nowhere: they take
    /// no job again); throttled is always 0 (Poddle does not hold workers back for capacity).
    /// </summary>
    private async Task<PoolWorkerCounts> WorkerCountsAsync(Guid poolId, CancellationToken cancellationToken)
    {
        var states = await db.Set<Runtime.PoolWorker>().AsNoTracking()
            .Where(w => w.PoolId == poolId)
            .GroupBy(w => w.State)
            .Select(g => new { State = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        int Of(params string[] names) => states.Where(s => names.Contains(s.State)).Sum(s => s.Count);
        var idle = Of(Scaling.WorkerStates.Idle);
        return new PoolWorkerCounts(idle, Of(Scaling.WorkerStates.Spawning, Scaling.WorkerStates.Initializing), idle, Of(Scaling.WorkerStates.Running), 0);
    }

    /// <summary>Deletes the pool's queued jobs (running ones go on); returns how many.</summary>
    public async Task<Result<int>> PurgeQueueAsync(Guid ownerId, Guid poolId, CancellationToken cancellationToken)
    {
        if (await FindPoolAsync(ownerId, poolId, cancellationToken) is null)
        {
            return Error.NotFound("Pool");
        }

        var removed = await db.PoolJobs.Where(j => j.PoolId == poolId && j.Status == PoolJobStatuses.InQueue).ExecuteDeleteAsync(cancellationToken);
        notifier.Changed(poolId);
        LogPurged(logger, poolId, removed);
        return removed;
    }

    /// <summary>Times out the pool's runs past their execution deadline (lazily, when someone looks, and from maintenance).</summary>
    internal async Task TimeOutOverdueAsync(Guid? poolId, CancellationToken cancellationToken)
    {
        var now = clock.GetStoredUtcNow();
        var overdue = await db.PoolJobs
            .Where(j => (poolId == null || j.PoolId == poolId) && j.Status == PoolJobStatuses.InProgress && j.TimeoutAt != null && j.TimeoutAt <= now)
            .Take(100)
            .ToListAsync(cancellationToken);
        foreach (var job in overdue)
        {
            Finish(job, PoolJobStatuses.TimedOut, null, $"Ran longer than its execution timeout ({job.ExecutionTimeoutMs} ms).");
        }

        await SaveFinishedAsync(overdue, cancellationToken);
    }

    private async Task<Result<PoolJob>> TransitionAsync(
        Guid ownerId, Guid poolId, Guid jobId, Func<PoolJob, bool> applies, Action<PoolJob> change, string? refusal, CancellationToken cancellationToken)
    {
        if (await FindPoolAsync(ownerId, poolId, cancellationToken) is null)
        {
            return Error.NotFound("Job");
        }

        for (var attempt = 0; ; attempt++)
        {
            var job = await db.PoolJobs.FirstOrDefaultAsync(j => j.Id == jobId && j.PoolId == poolId, cancellationToken);
            if (job is null)
            {
                return Error.NotFound("Job");
            }

            if (!applies(job))
            {
                return refusal is null ? job : Error.Conflict(PoolErrorCodes.JobState, $"{refusal} This one is {job.Status}.");
            }

            change(job);
            try
            {
                await SaveFinishedAsync([job], cancellationToken);
                if (job.Status == PoolJobStatuses.InQueue)
                {
                    notifier.JobQueued(poolId);
                }

                return job;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 3)
            {
                // Its status changed in between (its worker finished it): decide again on what it is now.
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>Saves jobs moved to a final status with their webhooks enqueued in the same transaction, then wakes their waiters.</summary>
    internal async Task SaveFinishedAsync(IReadOnlyList<PoolJob> finished, CancellationToken cancellationToken)
    {
        foreach (var job in finished.Where(j => PoolJobStatuses.IsFinal(j.Status) && j.Webhook is not null))
        {
            await queue.EnqueueAsync(
                PoolWebhookJob.JobKind,
                job.Id.ToString(),
                new EnqueueOptions(IdempotencyKey: $"pool-webhook:{job.Id:N}:{job.Retries}:{job.Status}", MaxAttempts: options.Value.WebhookAttempts),
                cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        foreach (var job in finished.Where(j => PoolJobStatuses.IsFinal(j.Status)))
        {
            var queued = TimeSpan.FromMilliseconds(job.DelayTimeMs ?? (long)(clock.GetUtcNow() - job.QueuedAt).TotalMilliseconds);
            metrics.JobFinished(job.PoolId.ToString(), job.Status, queued, job.ExecutionTimeMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null);
            notifier.JobFinished(job.PoolId, job.Id);
        }
    }

    /// <summary>Moves a job to a final status, with its execution time.</summary>
    internal void Finish(PoolJob job, string status, string? outputJson, string? error)
    {
        var now = clock.GetStoredUtcNow();
        job.Status = status;
        job.OutputJson = outputJson ?? job.OutputJson;
        job.Error = error ?? job.Error;
        job.CompletedAt = now;
        job.TimeoutAt = null;
        job.ExecutionTimeMs = job.StartedAt is { } started ? (long)(now - started).TotalMilliseconds : null;
    }

    /// <summary>Puts a job back in the queue (a retry, or its worker was lost): a fresh run, its old result forgotten.</summary>
    internal static void Requeue(PoolJob job, DateTimeOffset now)
    {
        job.Status = PoolJobStatuses.InQueue;
        job.QueuedAt = now;
        job.WorkerId = null;
        job.StartedAt = null;
        job.TimeoutAt = null;
        job.CompletedAt = null;
        job.OutputJson = null;
        job.Error = null;
        job.DelayTimeMs = null;
        job.ExecutionTimeMs = null;
    }

    private async Task<List<PoolJobStreamChunk>> UndeliveredAsync(Guid jobId, CancellationToken cancellationToken) =>
        await db.Set<PoolJobStreamChunk>().AsNoTracking()
            .Where(c => c.JobId == jobId && !c.Delivered)
            .OrderBy(c => c.Sequence)
            .Take(1000)
            .ToListAsync(cancellationToken);

    private Task<Pool?> FindPoolAsync(Guid ownerId, Guid poolId, CancellationToken cancellationToken) =>
        db.Pools.AsNoTracking().FirstOrDefaultAsync(p => p.Id == poolId && p.OwnerId == ownerId, cancellationToken);

    private TimeSpan Clamp(TimeSpan wait) => wait > options.Value.MaxWait ? options.Value.MaxWait : wait;

    private static bool IsWebhook(string value) =>
        value.Length <= MaxWebhookLength && Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobId} queued in pool {PoolId}")]
    private static partial void LogSubmitted(ILogger logger, Guid jobId, Guid poolId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pool {PoolId}: purged {Count} queued jobs")]
    private static partial void LogPurged(ILogger logger, Guid poolId, int count);
}
