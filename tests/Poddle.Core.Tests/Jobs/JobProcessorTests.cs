using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Jobs;

public sealed class JobProcessorTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RunNext_SucceedingHandler_CompletesJobOwnedByThisProcess(DatabaseProvider provider)
    {
        await using var jobs = await JobsHarness.CreateAsync(provider);
        var job = await jobs.EnqueueAsync(payload: """{"id":7}""");

        Assert.True(await jobs.Processor.RunNextAsync(CancellationToken.None));
        Assert.False(await jobs.Processor.RunNextAsync(CancellationToken.None));

        var done = await jobs.GetAsync(job.Id);
        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal(1, done.Attempts);
        Assert.Equal(jobs.Clock.GetUtcNow(), done.CompletedAt);
        Assert.StartsWith(jobs.Processor.LeaseOwnerPrefix, done.LeaseOwner, StringComparison.Ordinal);
        Assert.Null(done.LeaseExpiresAt);
        var seen = Assert.Single(jobs.Handler.Seen);
        Assert.Equal(("""{"id":7}""", 1), (seen.Payload, seen.Attempt));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RunNext_ScheduledJob_WaitsUntilRunAt(DatabaseProvider provider)
    {
        await using var jobs = await JobsHarness.CreateAsync(provider);
        await jobs.EnqueueAsync(options: new EnqueueOptions(RunAt: jobs.Clock.GetUtcNow().AddMinutes(5)));

        Assert.False(await jobs.Processor.RunNextAsync(CancellationToken.None));
        jobs.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.True(await jobs.Processor.RunNextAsync(CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RunNext_FailingHandler_BacksOffThenRetries(DatabaseProvider provider)
    {
        await using var jobs = await JobsHarness.CreateAsync(provider);
        var job = await jobs.EnqueueAsync();
        jobs.Handler.Behaviour = (context, _) => context.Attempt == 1 ? throw new InvalidOperationException("boom") : Task.CompletedTask;
        var failedAt = jobs.Clock.GetUtcNow();

        Assert.True(await jobs.Processor.RunNextAsync(CancellationToken.None));
        var failed = await jobs.GetAsync(job.Id);
        Assert.Equal(JobState.Queued, failed.State);
        Assert.Equal("InvalidOperationException: boom", failed.LastError);

        // Attempt 1 failed: the retry waits between base/2 and base (equal jitter).
        Assert.InRange(failed.RunAt, failedAt + (JobsHarness.BaseDelay / 2), failedAt + JobsHarness.BaseDelay);
        jobs.Clock.Advance(failed.RunAt - failedAt - TimeSpan.FromMilliseconds(1));
        Assert.False(await jobs.Processor.RunNextAsync(CancellationToken.None));
        jobs.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await jobs.Processor.RunNextAsync(CancellationToken.None));

        var done = await jobs.GetAsync(job.Id);
        Assert.Equal((JobState.Succeeded, 2), (done.State, done.Attempts));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RunNext_FailingEveryAttempt_IsDeadAfterMaxAttempts(DatabaseProvider provider)
    {
        await using var jobs = await JobsHarness.CreateAsync(provider, maxAttempts: 3);
        var job = await jobs.EnqueueAsync();
        jobs.Handler.Behaviour = (_, _) => throw new InvalidOperationException(new string('x', 5000));

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            Assert.True(await jobs.Processor.RunNextAsync(CancellationToken.None));
            jobs.Clock.Advance(JobsHarness.MaxDelay);
        }

        Assert.False(await jobs.Processor.RunNextAsync(CancellationToken.None));
        var dead = await jobs.GetAsync(job.Id);
        Assert.Equal((JobState.Dead, 3), (dead.State, dead.Attempts));
        Assert.Equal(Job.MaxErrorLength, dead.LastError!.Length);
        Assert.Equal(3, jobs.Handler.Seen.Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RunNext_UnknownKind_IsDeadWithClearError(DatabaseProvider provider)
    {
        await using var jobs = await JobsHarness.CreateAsync(provider);
        var job = await jobs.EnqueueAsync("nobody.handles.this");

        Assert.True(await jobs.Processor.RunNextAsync(CancellationToken.None));

        var dead = await jobs.GetAsync(job.Id);
        Assert.Equal(JobState.Dead, dead.State);
        Assert.Contains("No handler is registered for the job kind 'nobody.handles.this'", dead.LastError, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RunNext_ExpiredLeaseOfKilledWorker_IsClaimedAgainAndCompleted(DatabaseProvider provider)
    {
        await using var jobs = await JobsHarness.CreateAsync(provider);
        var job = await jobs.EnqueueAsync();

        // A worker claims the job and dies (kill -9): no heartbeat, no completion.
        await using (var scope = jobs.Scope())
        {
            var now = jobs.Clock.GetUtcNow();
            var claimed = await scope.ServiceProvider.GetRequiredService<IJobClaimer>().ClaimAsync(
                scope.ServiceProvider.GetRequiredService<PoddleDbContext>(), "dead-host:1:1", now, now + JobsHarness.Lease, JobKindFilter.All, CancellationToken.None);
            Assert.Equal(job.Id, claimed!.Id);
            Assert.Equal((JobState.Running, 1, "dead-host:1:1"), (claimed.State, claimed.Attempts, claimed.LeaseOwner));
        }

        jobs.Clock.Advance(JobsHarness.Lease - TimeSpan.FromSeconds(1));
        Assert.False(await jobs.Processor.RunNextAsync(CancellationToken.None));
        jobs.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await jobs.Processor.RunNextAsync(CancellationToken.None));

        var done = await jobs.GetAsync(job.Id);
        Assert.Equal((JobState.Succeeded, 2), (done.State, done.Attempts));
        Assert.StartsWith(jobs.Processor.LeaseOwnerPrefix, done.LeaseOwner, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RunNext_LeaseTakenOverWhileRunning_StaleWorkerCannotOverwrite(DatabaseProvider provider)
    {
        await using var jobs = await JobsHarness.CreateAsync(provider);
        var job = await jobs.EnqueueAsync();

        // While this worker runs, its lease passes to another worker (as if it had stalled past the lease).
        jobs.Handler.Behaviour = async (context, ct) =>
        {
            await using var db = jobs.Database.CreateContext();
            await db.Set<Job>().Where(j => j.Id == context.JobId)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseOwner, "other-host:2:1"), ct);
        };

        Assert.True(await jobs.Processor.RunNextAsync(CancellationToken.None));

        var after = await jobs.GetAsync(job.Id);
        Assert.Equal((JobState.Running, "other-host:2:1"), (after.State, after.LeaseOwner));
        Assert.Null(after.CompletedAt);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RunNext_HandlerOutlivesHeartbeatInterval_LeaseIsExtended(DatabaseProvider provider)
    {
        await using var jobs = await JobsHarness.CreateAsync(provider);
        var job = await jobs.EnqueueAsync();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        jobs.Handler.Behaviour = async (_, _) =>
        {
            started.SetResult();
            await release.Task;
        };

        var run = jobs.Processor.RunNextAsync(CancellationToken.None);
        await started.Task.WaitAsync(Bound);
        var firstLease = (await jobs.GetAsync(job.Id)).LeaseExpiresAt!.Value;

        // Advance past heartbeats until one has extended the lease (the heartbeat timer is armed asynchronously).
        var deadline = DateTime.UtcNow + Bound;
        DateTimeOffset lease;
        do
        {
            jobs.Clock.Advance(JobsHarness.Heartbeat);
            await Task.Yield();
            lease = (await jobs.GetAsync(job.Id)).LeaseExpiresAt!.Value;
        }
        while (lease == firstLease && DateTime.UtcNow < deadline);

        Assert.True(lease > firstLease, "a heartbeat extends the lease while the handler runs");
        release.SetResult();
        Assert.True(await run.WaitAsync(Bound));
        Assert.Equal(JobState.Succeeded, (await jobs.GetAsync(job.Id)).State);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RunNext_Stopping_HandsJobBackWithoutCountingTheAttempt(DatabaseProvider provider)
    {
        await using var jobs = await JobsHarness.CreateAsync(provider);
        var job = await jobs.EnqueueAsync();
        using var stopping = new CancellationTokenSource();
        jobs.Handler.Behaviour = async (_, ct) =>
        {
            await stopping.CancelAsync();
            await Task.Delay(Timeout.Infinite, ct);
        };

        Assert.True(await jobs.Processor.RunNextAsync(stopping.Token));

        var released = await jobs.GetAsync(job.Id);
        Assert.Equal((JobState.Queued, 0), (released.State, released.Attempts));
        Assert.Null(released.LeaseExpiresAt);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Runner_JobCommittedInThisProcess_RunsWithoutAPollTick(DatabaseProvider provider)
    {
        await using var jobs = await JobsHarness.CreateAsync(provider);
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        jobs.Handler.Behaviour = (_, _) =>
        {
            ran.TrySetResult();
            return Task.CompletedTask;
        };
        var runner = jobs.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<JobRunner>().Single();
        await runner.StartAsync(CancellationToken.None);
        try
        {
            // The fake clock never advances, so no poll interval passes: the runner finds the job at its first look or by the wake signal.
            await jobs.EnqueueAsync();
            await ran.Task.WaitAsync(Bound);
        }
        finally
        {
            await runner.StopAsync(CancellationToken.None);
        }
    }
}
