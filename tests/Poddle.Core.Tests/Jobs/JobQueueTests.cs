using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Jobs;

public sealed class JobQueueTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Enqueue_CallersTransactionRolledBack_LeavesNoJob(DatabaseProvider provider)
    {
        await using var jobs = await JobsHarness.CreateAsync(provider);
        await using (var scope = jobs.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
            var queue = scope.ServiceProvider.GetRequiredService<JobQueue>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            await queue.EnqueueAsync(ScriptedJobHandler.JobKind, """{"n":1}""");
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        await using var check = jobs.Database.CreateContext();
        Assert.Equal(0, await check.Set<Job>().CountAsync());
        Assert.False(await jobs.Processor.RunNextAsync(CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Enqueue_CallersTransactionCommitted_JobCommitsWithTheChange(DatabaseProvider provider)
    {
        await using var jobs = await JobsHarness.CreateAsync(provider);
        var signal = jobs.Services.GetRequiredService<JobSignal>();
        var woken = signal.Next;
        await using (var scope = jobs.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
            var queue = scope.ServiceProvider.GetRequiredService<JobQueue>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            await queue.EnqueueAsync(ScriptedJobHandler.JobKind);
            await db.SaveChangesAsync();
            Assert.False(woken.IsCompleted, "workers must not be woken before the transaction commits");
            await transaction.CommitAsync();
        }

        Assert.True(woken.IsCompleted, "committing a due job wakes this process's workers");
        await using var check = jobs.Database.CreateContext();
        var job = await check.Set<Job>().SingleAsync();
        Assert.Equal(JobState.Queued, job.State);
        Assert.Equal(3, job.MaxAttempts);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Enqueue_SameIdempotencyKeyTwice_CreatesOneJob(DatabaseProvider provider)
    {
        await using var jobs = await JobsHarness.CreateAsync(provider);
        var options = new EnqueueOptions(IdempotencyKey: "deploy:42");

        await using (var scope = jobs.Scope())
        {
            var queue = scope.ServiceProvider.GetRequiredService<JobQueue>();
            var first = await queue.EnqueueAsync(ScriptedJobHandler.JobKind, null, options);
            var sameUnitOfWork = await queue.EnqueueAsync(ScriptedJobHandler.JobKind, null, options);
            Assert.True(first.Created);
            Assert.False(sameUnitOfWork.Created);
            Assert.Same(first.Job, sameUnitOfWork.Job);
            await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().SaveChangesAsync();
        }

        await using (var scope = jobs.Scope())
        {
            var later = await scope.ServiceProvider.GetRequiredService<JobQueue>().EnqueueAndSaveAsync(ScriptedJobHandler.JobKind, null, options);
            Assert.False(later.Created);
        }

        await using var check = jobs.Database.CreateContext();
        Assert.Equal(1, await check.Set<Job>().CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task EnqueueAndSave_ConcurrentSameIdempotencyKey_OneJobBothSeeIt(DatabaseProvider provider)
    {
        await using var jobs = await JobsHarness.CreateAsync(provider);
        var options = new EnqueueOptions(IdempotencyKey: "race");

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            await using var scope = jobs.Scope();
            return await scope.ServiceProvider.GetRequiredService<JobQueue>().EnqueueAndSaveAsync(ScriptedJobHandler.JobKind, null, options);
        }));

        Assert.Single(results, r => r.Created);
        Assert.Single(results.Select(r => r.Job.Id).Distinct());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task GetStats_MixedJobs_CountsPerKind(DatabaseProvider provider)
    {
        await using var jobs = await JobsHarness.CreateAsync(provider, maxAttempts: 1);
        await jobs.EnqueueAsync("kind.a");
        jobs.Clock.Advance(TimeSpan.FromSeconds(30));
        await jobs.EnqueueAsync("kind.a");
        await jobs.EnqueueAsync("kind.a", options: new EnqueueOptions(RunAt: jobs.Clock.GetUtcNow().AddHours(1)));
        await jobs.EnqueueAsync("kind.b");
        jobs.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await jobs.Processor.RunNextAsync(CancellationToken.None)); // oldest kind.a: no handler → dead

        await using var scope = jobs.Scope();
        var stats = await scope.ServiceProvider.GetRequiredService<JobQueue>().GetStatsAsync(CancellationToken.None);

        Assert.Equal(["kind.a", "kind.b"], stats.Select(s => s.Kind));
        var a = stats[0];
        Assert.Equal((1, 1, 0, 1), (a.Depth, a.Scheduled, a.Running, a.Dead));
        Assert.Equal(TimeSpan.FromSeconds(10), a.OldestWaiting);
        Assert.Equal((1, 0, 0, 0), (stats[1].Depth, stats[1].Scheduled, stats[1].Running, stats[1].Dead));
    }

    [Fact]
    public void Validate_BadValues_MessagesNameTheKeys()
    {
        var result = new JobsOptionsValidator().Validate(null, new JobsOptions
        {
            Workers = -1,
            LeaseDuration = TimeSpan.FromSeconds(10),
            HeartbeatInterval = TimeSpan.FromSeconds(9),
            MaxAttempts = 0,
            MaintenanceSchedule = "every hour",
        });

        Assert.True(result.Failed);
        foreach (var key in new[] { "Jobs:Workers", "Jobs:HeartbeatInterval", "Jobs:MaxAttempts", "Jobs:MaintenanceSchedule" })
        {
            Assert.Contains(result.Failures!, f => f.StartsWith(key, StringComparison.Ordinal));
        }

        Assert.False(new JobsOptionsValidator().Validate(null, new JobsOptions()).Failed);
    }

    [Fact]
    public void Delay_GrowsExponentiallyWithinJitterAndIsCapped()
    {
        var baseDelay = TimeSpan.FromSeconds(10);
        var max = TimeSpan.FromMinutes(5);
        Assert.Equal(TimeSpan.FromSeconds(5), RetryBackoff.Delay(1, baseDelay, max, 0));
        Assert.InRange(RetryBackoff.Delay(3, baseDelay, max, 0.999999), TimeSpan.FromSeconds(39.99), TimeSpan.FromSeconds(40));
        Assert.Equal(TimeSpan.FromSeconds(20), RetryBackoff.Delay(3, baseDelay, max, 0));
        Assert.InRange(RetryBackoff.Delay(30, baseDelay, max, 0.999999), max - TimeSpan.FromSeconds(0.01), max);
    }
}
