using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Persistence;

namespace Poddle.Core.Pools;

/// <summary>
/// The worker side of a pool (RunPod's worker protocol, as runpod-python speaks it): the environment a worker gets,
/// its key, taking jobs (a long poll), posting results and stream chunks, pings, and taking jobs back from a lost
/// worker. Delivery is at least once: a job held by a worker that is lost goes back to the queue
/// (<see cref="RequeueJobsOfAsync"/>). Keys are never logged.
/// </summary>
public sealed partial class PoolWorkerProtocol(
    PoddleDbContext db,
    PoolJobService jobs,
    PoolJobNotifier notifier,
    SecretProtector secrets,
    IOptions<PoolOptions> options,
    TimeProvider clock,
    ILogger<PoolWorkerProtocol> logger)
{
    /// <summary>The most jobs one batch request takes.</summary>
    public const int MaxBatch = 64;

    /// <summary>
    /// Registers worker <paramref name="workerId"/> of pool <paramref name="poolId"/> with a new key and returns the
    /// environment its pod starts with: the pool's env and secrets, then RunPod's variables pointing at
    /// <paramref name="serverUrl"/> (the address the worker reaches this server at). Called by the autoscaler's wiring
    /// when it spawns a pod; calling it again for the same worker replaces its key.
    /// </summary>
    public async Task<Result<IReadOnlyDictionary<string, string>>> CreateWorkerAsync(Guid poolId, string workerId, Uri serverUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serverUrl);
        if (!IsWorkerId(workerId))
        {
            return Error.Validation(FieldPath.Of(nameof(workerId)), "A worker id is 1-64 of [A-Za-z0-9_-].");
        }

        var pool = await db.Pools.AsNoTracking().FirstOrDefaultAsync(p => p.Id == poolId, cancellationToken);
        if (pool is null)
        {
            return Error.NotFound("Pool");
        }

        var key = PoolWorkerEnvironment.KeyPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        await db.Set<PoolWorkerKey>().Where(k => k.WorkerId == workerId).ExecuteDeleteAsync(cancellationToken);
        db.Set<PoolWorkerKey>().Add(new PoolWorkerKey { WorkerId = workerId, PoolId = poolId, KeyHash = SecretTokens.Hash(key), CreatedAt = clock.GetStoredUtcNow() });
        await db.SaveChangesAsync(cancellationToken);

        var spec = PoolWorkerSpec.Deserialize(pool.SpecJson);
        var env = new Dictionary<string, string>(spec.Env, StringComparer.Ordinal);
        foreach (var (name, value) in secrets.Unprotect(pool.SecretsCiphertext))
        {
            env[name] = value;
        }

        var pools = $"{serverUrl.AbsoluteUri.TrimEnd('/')}/v2/{poolId}";
        env[PoolWorkerEnvironment.GetJob] = $"{pools}/job-take/$ID?protocol=runpod";
        env[PoolWorkerEnvironment.PostOutput] = $"{pools}/job-done/$RUNPOD_POD_ID/$ID?protocol=runpod";
        env[PoolWorkerEnvironment.PostStream] = $"{pools}/job-stream/$RUNPOD_POD_ID/$ID?protocol=runpod";
        env[PoolWorkerEnvironment.JobStop] = $"{pools}/job-stop/$RUNPOD_POD_ID?job_id=$ID";
        env[PoolWorkerEnvironment.Ping] = $"{pools}/ping/$RUNPOD_POD_ID";
        env[PoolWorkerEnvironment.PingInterval] = ((long)options.Value.PingInterval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        env[PoolWorkerEnvironment.PodId] = workerId;
        env[PoolWorkerEnvironment.ApiKey] = key;
        env[PoolWorkerEnvironment.EndpointId] = poolId.ToString();
        LogWorkerCreated(logger, workerId, poolId);
        return env;
    }

    /// <summary>The worker a key belongs to; null for an unknown key (the key is compared by its hash only).</summary>
    public async Task<PoolWorkerKey?> AuthenticateAsync(string? key, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(key) || !key.StartsWith(PoolWorkerEnvironment.KeyPrefix, StringComparison.Ordinal) || key.Length > 128)
        {
            return null;
        }

        var hash = SecretTokens.Hash(key);
        return await db.Set<PoolWorkerKey>().AsNoTracking().FirstOrDefaultAsync(k => k.KeyHash == hash, cancellationToken);
    }

    /// <summary>
    /// Takes up to <paramref name="max"/> of the pool's oldest queued jobs for the worker (IN_PROGRESS, held by it), waiting
    /// up to <paramref name="wait"/> for one to be queued (woken at once in-process). Empty when none came.
    /// </summary>
    public async Task<IReadOnlyList<PoolJob>> TakeAsync(PoolWorkerKey worker, int max, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        max = Math.Clamp(max, 1, MaxBatch);
        await SeenAsync(worker.WorkerId, cancellationToken);
        var deadline = clock.GetUtcNow() + wait;
        while (true)
        {
            var queued = notifier.Queued.Next(worker.PoolId);
            var taken = await TakeNowAsync(worker, max, cancellationToken);
            var remaining = deadline - clock.GetUtcNow();
            if (taken.Count > 0 || remaining <= TimeSpan.Zero)
            {
                return taken;
            }

            // Woken at once by a job queued in this process; the re-read after FallbackPoll finds one queued by another server.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(queued, Task.Delay(remaining < PoolJobService.FallbackPoll ? remaining : PoolJobService.FallbackPoll, clock, stop.Token));
            await stop.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// A worker's result for a job it holds (the JSON text RunPod's SDK posts: <c>{"output": …}</c>, <c>{"error": …}</c>,
    /// optionally <c>"stopPod": true</c>): COMPLETED, or FAILED with the error. A result for a job the worker no longer
    /// holds (cancelled, timed out, taken back) is ignored: false.
    /// </summary>
    public async Task<Result<bool>> PostResultAsync(PoolWorkerKey worker, Guid jobId, string body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        if (Parse(body) is not { } result)
        {
            return Error.Validation(PoolJobFields.Result, "The body must be a JSON object such as {\"output\": …} or {\"error\": \"…\"}.");
        }

        await SeenAsync(worker.WorkerId, cancellationToken);
        if (result.StopPod)
        {
            notifier.StopRequested(worker.WorkerId);
        }

        var job = await db.PoolJobs.FirstOrDefaultAsync(j => j.Id == jobId && j.PoolId == worker.PoolId, cancellationToken);
        if (job is null || job.Status != PoolJobStatuses.InProgress || job.WorkerId != worker.WorkerId)
        {
            return false;
        }

        using var span = PoolTracing.StartResult(job, worker.WorkerId);
        jobs.Finish(job, result.Error is null ? PoolJobStatuses.Completed : PoolJobStatuses.Failed, result.Output, result.Error);
        span?.SetTag(PoolTracing.StatusTag, job.Status);
        try
        {
            await jobs.SaveFinishedAsync([job], cancellationToken);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            // Cancelled or taken back in between: that transition won.
            span?.SetTag(PoolTracing.StatusTag, "ignored");
            db.ChangeTracker.Clear();
            return false;
        }
    }

    /// <summary>Appends a stream chunk (<c>{"output": chunk}</c>) to a job the worker holds, in order; false when it no longer holds it.</summary>
    public async Task<Result<bool>> PostStreamAsync(PoolWorkerKey worker, Guid jobId, string body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        if (Parse(body) is not { } result)
        {
            return Error.Validation(PoolJobFields.Result, "The body must be a JSON object such as {\"output\": …}.");
        }

        for (var attempt = 0; ; attempt++)
        {
            var job = await db.PoolJobs.FirstOrDefaultAsync(j => j.Id == jobId && j.PoolId == worker.PoolId, cancellationToken);
            if (job is null || job.Status != PoolJobStatuses.InProgress || job.WorkerId != worker.WorkerId)
            {
                return false;
            }

            if (result.Output is null)
            {
                return true; // an error chunk: the final result carries the error
            }

            db.Set<PoolJobStreamChunk>().Add(new PoolJobStreamChunk { JobId = jobId, Sequence = job.StreamChunks, OutputJson = result.Output, CreatedAt = clock.GetStoredUtcNow() });
            job.StreamChunks++;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                notifier.Streamed.Finish(jobId);
                return true;
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Two chunks raced for one sequence number, or the job changed: read it again.
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>
    /// Waits up to <paramref name="wait"/> for job <paramref name="jobId"/> to stop being the worker's to run: cancelled,
    /// timed out (its execution deadline passed: it is timed out here), finished otherwise, or taken back. Returns the
    /// job's status then (also at once when it already is not the worker's), or null when it is still the worker's
    /// after the wait. Woken at once in-process by the job's final status; a change on another server is seen by the
    /// fallback re-read.
    /// </summary>
    public async Task<string?> WaitStopAsync(PoolWorkerKey worker, Guid jobId, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        await SeenAsync(worker.WorkerId, cancellationToken);
        var job = await notifier.Finished.WaitAsync(
            jobId,
            ct => db.PoolJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId && j.PoolId == worker.PoolId, ct),
            j => !HeldBy(j, worker.WorkerId) || (j.TimeoutAt is { } at && at <= clock.GetUtcNow()),
            wait,
            PoolJobService.FallbackPoll,
            clock,
            cancellationToken);
        if (job is { Status: PoolJobStatuses.InProgress, TimeoutAt: { } deadline } && HeldBy(job, worker.WorkerId) && deadline <= clock.GetUtcNow())
        {
            await jobs.TimeOutOverdueAsync(worker.PoolId, cancellationToken);
            job = await db.PoolJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId && j.PoolId == worker.PoolId, cancellationToken);
        }

        return job is null ? PoolJobStatuses.Cancelled : HeldBy(job, worker.WorkerId) ? null : job.Status;
    }

    /// <summary>A worker's ping: it is alive.</summary>
    public Task PingAsync(PoolWorkerKey worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        return SeenAsync(worker.WorkerId, cancellationToken);
    }

    /// <summary>
    /// Takes back every job the worker holds (it was lost: killed, silent, its pod gone): each goes back to the queue
    /// and counts as retried, or fails once it has been retried its pool's maxRetries times. Returns how many were
    /// taken back. Idempotent; called by the autoscaler's wiring.
    /// </summary>
    public async Task<int> RequeueJobsOfAsync(string workerId, CancellationToken cancellationToken)
    {
        var held = await (
                from j in db.PoolJobs
                join p in db.Pools on j.PoolId equals p.Id
                where j.WorkerId == workerId && j.Status == PoolJobStatuses.InProgress
                select new { Job = j, p.MaxRetries })
            .ToListAsync(cancellationToken);
        var now = clock.GetStoredUtcNow();
        foreach (var entry in held)
        {
            if (entry.Job.Retries < entry.MaxRetries)
            {
                PoolJobService.Requeue(entry.Job, now);
                entry.Job.Retries++;
            }
            else
            {
                jobs.Finish(entry.Job, PoolJobStatuses.Failed, null, $"Its worker was lost {entry.Job.Retries + 1} times (maxRetries {entry.MaxRetries}).");
            }
        }

        try
        {
            await jobs.SaveFinishedAsync([.. held.Select(h => h.Job)], cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // One finished in between; the others are taken back by the next call (idempotent).
            db.ChangeTracker.Clear();
            return 0;
        }

        foreach (var poolId in held.Where(h => h.Job.Status == PoolJobStatuses.InQueue).Select(h => h.Job.PoolId).Distinct())
        {
            notifier.JobQueued(poolId);
        }

        LogRequeued(logger, workerId, held.Count);
        return held.Count;
    }

    /// <summary>Ends a worker's key (its pod is gone); its held jobs are not touched (see <see cref="RequeueJobsOfAsync"/>).</summary>
    public Task RevokeWorkerAsync(string workerId, CancellationToken cancellationToken) =>
        db.Set<PoolWorkerKey>().Where(k => k.WorkerId == workerId).ExecuteDeleteAsync(cancellationToken);

    private static bool HeldBy(PoolJob job, string workerId) => job.Status == PoolJobStatuses.InProgress && job.WorkerId == workerId;

    /// <summary>True for a worker id the protocol accepts (it appears in URLs and pod names).</summary>
    public static bool IsWorkerId(string? workerId) => workerId is { Length: > 0 and <= 64 } && WorkerIdRegex().IsMatch(workerId);

    private async Task<List<PoolJob>> TakeNowAsync(PoolWorkerKey worker, int max, CancellationToken cancellationToken)
    {
        // Each try reads afresh: a job tracked from an earlier try would hide what other workers did since.
        db.ChangeTracker.Clear();
        var taken = new List<PoolJob>();
        var candidates = await db.PoolJobs
            .Where(j => j.PoolId == worker.PoolId && j.Status == PoolJobStatuses.InQueue)
            .OrderBy(j => j.QueuedAt)
            .Take(max + 4)
            .ToListAsync(cancellationToken);
        foreach (var job in candidates)
        {
            if (taken.Count == max)
            {
                break;
            }

            var now = clock.GetStoredUtcNow();
            job.Status = PoolJobStatuses.InProgress;
            job.WorkerId = worker.WorkerId;
            job.StartedAt = now;
            job.TimeoutAt = now.AddMilliseconds(job.ExecutionTimeoutMs);
            job.DelayTimeMs = (long)(now - job.QueuedAt).TotalMilliseconds;
            try
            {
                // One save per job: a job another worker took in between fails alone (its status is the concurrency token).
                await db.SaveChangesAsync(cancellationToken);
                taken.Add(job);
                PoolTracing.Taken(job, now);
            }
            catch (DbUpdateConcurrencyException)
            {
                db.Entry(job).State = EntityState.Detached;
            }
        }

        if (taken.Count > 0)
        {
            notifier.Changed(worker.PoolId);
        }

        return taken;
    }

    private async Task SeenAsync(string workerId, CancellationToken cancellationToken)
    {
        var now = clock.GetStoredUtcNow();
        await db.Set<PoolWorkerKey>().Where(k => k.WorkerId == workerId).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastSeenAt, now), cancellationToken);
    }

    /// <summary>A result body: output as JSON text, error as text (a JSON string's value, else the JSON), stopPod.</summary>
    private static WorkerResult? Parse(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var root = document.RootElement;
            var output = root.TryGetProperty("output", out var o) ? o.GetRawText() : null;
            var error = root.TryGetProperty("error", out var e) && e.ValueKind is not JsonValueKind.Null
                ? e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText()
                : null;
            var stopPod = root.TryGetProperty("stopPod", out var s) && s.ValueKind == JsonValueKind.True;
            return new WorkerResult(output, error, stopPod);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record WorkerResult(string? Output, string? Error, bool StopPod);

    [GeneratedRegex("^[A-Za-z0-9_-]+\\z", RegexOptions.CultureInvariant)]
    private static partial Regex WorkerIdRegex();

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} of pool {PoolId} registered")]
    private static partial void LogWorkerCreated(ILogger logger, string workerId, Guid poolId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} lost: {Count} held jobs taken back")]
    private static partial void LogRequeued(ILogger logger, string workerId, int count);
}
