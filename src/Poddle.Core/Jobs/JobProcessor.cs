using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Persistence;

namespace Poddle.Core.Jobs;

/// <summary>
/// One worker step: claim the next visible job whose handler is ready (<see cref="JobReadiness"/>), run its handler while
/// heartbeating the lease, then record the outcome. Every write after the claim is fenced by the claim token (lease
/// owner), so a worker that lost its lease (it stalled past the lease and another worker took the job) cannot overwrite
/// the new owner's result.
/// </summary>
public sealed partial class JobProcessor(
    IServiceScopeFactory scopes,
    IJobClaimer claimer,
    JobReadiness readiness,
    ServerInstance instance,
    IOptions<JobsOptions> options,
    TimeProvider clock,
    ILogger<JobProcessor> logger)
{
    /// <summary>Why a job was taken back at start (its last error until it finishes).</summary>
    public const string TakenBackError = "Interrupted: the server running it stopped without handing it back; taken back when it restarted.";

    private readonly string _processTag = $"{instance.LeasePrefix}{Environment.MachineName}:{Environment.ProcessId}";
    private long _claims;

    /// <summary>Lease owners of this process start with this ("{instance}/{host}:{pid}:").</summary>
    public string LeaseOwnerPrefix => _processTag + ":";

    /// <summary>Runs at most one job of any kind; false when none was visible.</summary>
    public Task<bool> RunNextAsync(CancellationToken cancellationToken) => RunNextAsync(JobKindFilter.All, cancellationToken);

    /// <summary>Runs at most one job of a kind <paramref name="kinds"/> matches; false when none was visible.</summary>
    public async Task<bool> RunNextAsync(JobKindFilter kinds, CancellationToken cancellationToken)
    {
        if (readiness.Restrict(kinds) is not { } ready)
        {
            return false; // every kind it may take waits for its handler to be ready
        }

        var settings = options.Value;
        var owner = $"{_processTag}:{Interlocked.Increment(ref _claims)}-{Guid.NewGuid().ToString("N")[..8]}";
        Job? job;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
            var now = clock.GetUtcNow();
            job = await claimer.ClaimAsync(db, owner, now, now + settings.LeaseDuration, ready, cancellationToken);
        }

        if (job is null)
        {
            return false;
        }

        if (job.Attempts > job.MaxAttempts)
        {
            // Its lease expired on every attempt: it keeps killing or stalling its workers. Do not run it again.
            await FinishAsync(job, owner, JobState.Dead, $"Abandoned: the lease expired on all {job.MaxAttempts} attempts (worker killed or stalled).", null);
            LogDead(logger, job.Id, job.Kind, job.Attempts);
            return true;
        }

        await using var jobScope = scopes.CreateAsyncScope();
        var handler = jobScope.ServiceProvider.GetKeyedService<IJobHandler>(job.Kind);
        if (handler is null)
        {
            await FinishAsync(job, owner, JobState.Dead, $"No handler is registered for the job kind '{job.Kind}'.", null);
            LogNoHandler(logger, job.Id, job.Kind);
            return true;
        }

        LogStarting(logger, job.Id, job.Kind, job.Attempts);
        var started = Stopwatch.GetTimestamp();
        using var handlerStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? failure = null;
        try
        {
            var context = new JobContext(job.Id, job.Kind, job.Payload, job.Attempts, job.MaxAttempts, owner);

            // The heartbeat's clock starts before the handler does and ticks at a fixed rate: neither a handler's synchronous
            // start nor a slow lease write pushes the next beat later (nor loses a tick that came due during the write).
            using var heartbeat = new PeriodicTimer(options.Value.HeartbeatInterval, clock);
            await RunWithHeartbeatAsync(handler.HandleAsync(context, handlerStop.Token), heartbeat, job, owner, handlerStop);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        if (failure is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // Graceful stop: hand the job back at once, without counting the interrupted attempt.
            await ReleaseAsync(job, owner);
            LogReleased(logger, job.Id, job.Kind);
            return true;
        }

        if (failure is null)
        {
            var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (await FinishAsync(job, owner, JobState.Succeeded, null, null))
            {
                LogSucceeded(logger, job.Id, job.Kind, elapsedMs);
            }

            return true;
        }

        if (job.Attempts >= job.MaxAttempts)
        {
            await FinishAsync(job, owner, JobState.Dead, Describe(failure), null);
            LogDeadAfterFailure(logger, failure, job.Id, job.Kind, job.Attempts);
            return true;
        }

        var delay = RetryBackoff.Delay(job.Attempts, settings.BaseRetryDelay, settings.MaxRetryDelay, Random.Shared.NextDouble());
        await FinishAsync(job, owner, JobState.Queued, Describe(failure), clock.GetUtcNow() + delay);
        LogRetrying(logger, failure, job.Id, job.Kind, job.Attempts, delay);
        return true;
    }

    /// <summary>
    /// At start, before this process claims anything: the jobs an earlier process of this server was running when it died
    /// (kill -9, power loss) go back to the queue at once instead of when their leases expire. They are the running jobs
    /// whose lease carries this server's instance id (<see cref="ServerInstance"/>) with another process's tag, or, on a
    /// queue one server owns (SQLite), every running job not of this process. Other servers' leases are never touched:
    /// only expiry frees them. The attempt each was on stays counted, so a job that kills its server every time still
    /// ends dead after its attempts. Nothing is taken back when the instance id is not this server's alone.
    /// </summary>
    /// <returns>How many jobs went back to the queue.</returns>
    public async Task<int> TakeBackInterruptedAsync(CancellationToken cancellationToken)
    {
        if (!instance.Persistent)
        {
            return 0;
        }

        var thisProcess = LeaseOwnerPrefix;
        var thisServer = instance.LeasePrefix;
        var anyOwner = claimer.OwnedByOneServer;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        return await db.Set<Job>()
            .Where(j => j.State == JobState.Running && j.LeaseOwner != null && !j.LeaseOwner.StartsWith(thisProcess)
                && (anyOwner || j.LeaseOwner.StartsWith(thisServer)))
            .ExecuteUpdateAsync(
                s => s
                    .SetProperty(j => j.State, JobState.Queued)
                    .SetProperty(j => j.LeaseExpiresAt, (DateTimeOffset?)null)
                    .SetProperty(j => j.LastError, TakenBackError),
                cancellationToken);
    }

    /// <summary>Awaits the handler; every heartbeat interval extends the lease; a lost lease cancels the handler.</summary>
    private async Task RunWithHeartbeatAsync(Task handlerTask, PeriodicTimer heartbeat, Job job, string owner, CancellationTokenSource handlerStop)
    {
        while (!handlerTask.IsCompleted)
        {
            using var tick = new CancellationTokenSource();
            var beat = heartbeat.WaitForNextTickAsync(tick.Token).AsTask();
            await Task.WhenAny(handlerTask, beat);
            if (handlerTask.IsCompleted)
            {
                // The timer is not used again, so cancelling its pending wait is all the clean-up it needs.
                await tick.CancelAsync();
                break;
            }

            try
            {
                if (!await ExtendLeaseAsync(job, owner))
                {
                    LogLeaseLost(logger, job.Id, job.Kind, owner);
                    await handlerStop.CancelAsync();
                    break;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A missed heartbeat is survivable: the lease is several intervals long. Keep the handler running.
                LogHeartbeatFailed(logger, ex, job.Id);
            }
        }

        await handlerTask;
    }

    private async Task<bool> ExtendLeaseAsync(Job job, string owner)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var expires = clock.GetUtcNow() + options.Value.LeaseDuration;
        return await db.Set<Job>()
            .Where(j => j.Id == job.Id && j.State == JobState.Running && j.LeaseOwner == owner)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseExpiresAt, expires)) == 1;
    }

    /// <summary>Records the outcome if this worker still owns the job; false (and logged) when it lost the lease.</summary>
    private async Task<bool> FinishAsync(Job job, string owner, JobState state, string? error, DateTimeOffset? retryAt)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var now = clock.GetUtcNow();
        var truncated = error is { Length: > Job.MaxErrorLength } ? error[..Job.MaxErrorLength] : error;
        var owned = db.Set<Job>().Where(j => j.Id == job.Id && j.State == JobState.Running && j.LeaseOwner == owner);

        // Shutdown must not abandon the write half-way: outcomes are recorded without the stopping token.
        var updated = state == JobState.Queued
            ? await owned.ExecuteUpdateAsync(s => s
                .SetProperty(j => j.State, JobState.Queued)
                .SetProperty(j => j.RunAt, retryAt!.Value)
                .SetProperty(j => j.LeaseExpiresAt, (DateTimeOffset?)null)
                .SetProperty(j => j.LastError, truncated), CancellationToken.None)
            : await owned.ExecuteUpdateAsync(s => s
                .SetProperty(j => j.State, state)
                .SetProperty(j => j.CompletedAt, now)
                .SetProperty(j => j.LeaseExpiresAt, (DateTimeOffset?)null)
                .SetProperty(j => j.LastError, truncated), CancellationToken.None);
        if (updated == 0)
        {
            LogLeaseLost(logger, job.Id, job.Kind, owner);
        }

        return updated == 1;
    }

    private async Task ReleaseAsync(Job job, string owner)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var now = clock.GetUtcNow();
        await db.Set<Job>()
            .Where(j => j.Id == job.Id && j.State == JobState.Running && j.LeaseOwner == owner)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.State, JobState.Queued)
                .SetProperty(j => j.RunAt, now)
                .SetProperty(j => j.Attempts, j => j.Attempts - 1)
                .SetProperty(j => j.LeaseExpiresAt, (DateTimeOffset?)null), CancellationToken.None);
    }

    private static string Describe(Exception ex) => $"{ex.GetType().Name}: {ex.Message}";

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobId} ({Kind}) attempt {Attempt} starting")]
    private static partial void LogStarting(ILogger logger, Guid jobId, string kind, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} ({Kind}) succeeded in {ElapsedMs:0} ms")]
    private static partial void LogSucceeded(ILogger logger, Guid jobId, string kind, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({Kind}) attempt {Attempt} failed; retrying in {Delay}")]
    private static partial void LogRetrying(ILogger logger, Exception exception, Guid jobId, string kind, int attempt, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} ({Kind}) is dead after {Attempts} attempts")]
    private static partial void LogDeadAfterFailure(ILogger logger, Exception exception, Guid jobId, string kind, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} ({Kind}) is dead: its lease expired on every one of {Attempts} attempts")]
    private static partial void LogDead(ILogger logger, Guid jobId, string kind, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} is dead: no handler for kind {Kind}")]
    private static partial void LogNoHandler(ILogger logger, Guid jobId, string kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({Kind}): lease {LeaseOwner} was lost to another worker; this worker's result is discarded")]
    private static partial void LogLeaseLost(ILogger logger, Guid jobId, string kind, string leaseOwner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: heartbeat failed; will retry at the next interval")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception, Guid jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} ({Kind}) handed back to the queue on shutdown")]
    private static partial void LogReleased(ILogger logger, Guid jobId, string kind);
}
