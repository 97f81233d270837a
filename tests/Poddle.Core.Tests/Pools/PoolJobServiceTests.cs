using Microsoft.EntityFrameworkCore;
using Poddle.Core.Common;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Core.Pools;
using Poddle.Testing;

namespace Poddle.Core.Tests.Pools;

public sealed class PoolJobServiceTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Submit_TakeAndComplete_ReportsRunPodTimesAndOutput(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");
        var pool = await harness.CreateCommandPoolAsync(alice);
        var worker = await harness.CreateWorkerAsync(pool, "w1");

        var job = (await Submit(harness, alice, pool, new PoolJobSubmission("""{"n":2}"""))).Value;
        harness.Clock.Advance(TimeSpan.FromMilliseconds(1500));
        var taken = await harness.WithAsync<IReadOnlyList<PoolJob>, PoolWorkerProtocol>(p => p.TakeAsync(worker, 1, TimeSpan.Zero, CancellationToken.None));
        harness.Clock.Advance(TimeSpan.FromMilliseconds(250));
        var posted = await harness.WithAsync<Result<bool>, PoolWorkerProtocol>(p => p.PostResultAsync(worker, job.Id, """{"output":{"sum":4}}""", CancellationToken.None));
        var status = await Get(harness, alice, pool, job.Id);

        Assert.Equal(PoolJobStatuses.InQueue, job.Status);
        Assert.Equal("""{"n":2}""", Assert.Single(taken).InputJson);
        Assert.True(posted.Value);
        Assert.Equal(PoolJobStatuses.Completed, status.Status);
        Assert.Equal((1500L, 250L), (status.DelayTimeMs, status.ExecutionTimeMs));
        Assert.Equal("""{"sum":4}""", status.OutputJson);
        Assert.Equal("w1", status.WorkerId);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Submit_Invalid_NamesTheFieldsAndOtherOwnersPoolIsNotFound(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");
        var mallory = await harness.CreateUserAsync("mallory");
        var pool = await harness.CreateCommandPoolAsync(alice);

        var invalid = await Submit(harness, alice, pool, new PoolJobSubmission(null, "ftp://example.test/hook", new PoolJobPolicy(ExecutionTimeout: 5, Ttl: 1)));
        var foreign = await Submit(harness, mallory, pool, new PoolJobSubmission("1"));

        Assert.Equal(["Input", "Policy.ExecutionTimeout", "Policy.Ttl", "Webhook"], invalid.Error!.Fields!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(ErrorKind.NotFound, foreign.Error!.Kind);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Wait_IsWokenByTheWorkersResult(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");
        var pool = await harness.CreateCommandPoolAsync(alice);
        var worker = await harness.CreateWorkerAsync(pool, "w1");
        var job = (await Submit(harness, alice, pool, new PoolJobSubmission("1"))).Value;

        // The fake clock never moves: only the completion signal can end this wait before its 90 s.
        var waiting = harness.WithAsync<Result<PoolJob>, PoolJobService>(s => s.WaitAsync(alice, pool, job.Id, TimeSpan.FromSeconds(90), CancellationToken.None));
        await harness.WithAsync<IReadOnlyList<PoolJob>, PoolWorkerProtocol>(p => p.TakeAsync(worker, 1, TimeSpan.Zero, CancellationToken.None));
        await harness.WithAsync<Result<bool>, PoolWorkerProtocol>(p => p.PostResultAsync(worker, job.Id, """{"error":"boom"}""", CancellationToken.None));
        var finished = await waiting.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(PoolJobStatuses.Failed, finished.Value.Status);
        Assert.Equal("boom", finished.Value.Error);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Cancel_RunningJob_IgnoresTheLateResultAndRetryRequeuesOnlyFailedOnes(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");
        var pool = await harness.CreateCommandPoolAsync(alice);
        var worker = await harness.CreateWorkerAsync(pool, "w1");
        var job = (await Submit(harness, alice, pool, new PoolJobSubmission("1"))).Value;
        await harness.WithAsync<IReadOnlyList<PoolJob>, PoolWorkerProtocol>(p => p.TakeAsync(worker, 1, TimeSpan.Zero, CancellationToken.None));

        var cancelled = await harness.WithAsync<Result<PoolJob>, PoolJobService>(s => s.CancelAsync(alice, pool, job.Id, CancellationToken.None));
        var late = await harness.WithAsync<Result<bool>, PoolWorkerProtocol>(p => p.PostResultAsync(worker, job.Id, """{"output":1}""", CancellationToken.None));
        var retryCancelled = await harness.WithAsync<Result<PoolJob>, PoolJobService>(s => s.RetryAsync(alice, pool, job.Id, CancellationToken.None));

        Assert.Equal(PoolJobStatuses.Cancelled, cancelled.Value.Status);
        Assert.False(late.Value);
        Assert.Equal(PoolJobStatuses.Cancelled, (await Get(harness, alice, pool, job.Id)).Status);
        Assert.Equal(PoolErrorCodes.JobState, retryCancelled.Error!.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task ExecutionTimeout_TimesOutTheRun_ThenRetryQueuesItAgain(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");
        var pool = await harness.CreateCommandPoolAsync(alice);
        var worker = await harness.CreateWorkerAsync(pool, "w1");
        var job = (await Submit(harness, alice, pool, new PoolJobSubmission("1", Policy: new PoolJobPolicy(ExecutionTimeout: 2000)))).Value;
        await harness.WithAsync<IReadOnlyList<PoolJob>, PoolWorkerProtocol>(p => p.TakeAsync(worker, 1, TimeSpan.Zero, CancellationToken.None));

        harness.Clock.Advance(TimeSpan.FromMilliseconds(1999));
        var before = await Get(harness, alice, pool, job.Id);
        harness.Clock.Advance(TimeSpan.FromMilliseconds(1));
        var after = await Get(harness, alice, pool, job.Id);
        var retried = await harness.WithAsync<Result<PoolJob>, PoolJobService>(s => s.RetryAsync(alice, pool, job.Id, CancellationToken.None));

        Assert.Equal(PoolJobStatuses.InProgress, before.Status);
        Assert.Equal(PoolJobStatuses.TimedOut, after.Status);
        Assert.Equal(PoolJobStatuses.InQueue, retried.Value.Status);
        Assert.Null((await Get(harness, alice, pool, job.Id)).WorkerId);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task HealthAndPurge_CountByStatusAndRemoveOnlyQueuedJobs(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");
        var pool = await harness.CreateCommandPoolAsync(alice);
        var worker = await harness.CreateWorkerAsync(pool, "w1");
        var done = (await Submit(harness, alice, pool, new PoolJobSubmission("1"))).Value;
        await harness.WithAsync<IReadOnlyList<PoolJob>, PoolWorkerProtocol>(p => p.TakeAsync(worker, 1, TimeSpan.Zero, CancellationToken.None));
        await harness.WithAsync<Result<bool>, PoolWorkerProtocol>(p => p.PostResultAsync(worker, done.Id, """{"output":1}""", CancellationToken.None));
        await Submit(harness, alice, pool, new PoolJobSubmission("2"));
        await harness.WithAsync<IReadOnlyList<PoolJob>, PoolWorkerProtocol>(p => p.TakeAsync(worker, 1, TimeSpan.Zero, CancellationToken.None));
        await Submit(harness, alice, pool, new PoolJobSubmission("3"));
        await Submit(harness, alice, pool, new PoolJobSubmission("4"));

        var health = await harness.WithAsync<Result<PoolHealth>, PoolJobService>(s => s.HealthAsync(alice, pool, CancellationToken.None));
        var purged = await harness.WithAsync<Result<int>, PoolJobService>(s => s.PurgeQueueAsync(alice, pool, CancellationToken.None));
        var after = await harness.WithAsync<Result<PoolHealth>, PoolJobService>(s => s.HealthAsync(alice, pool, CancellationToken.None));

        Assert.Equal(new PoolJobCounts(1, 0, 1, 2, 0), health.Value.Jobs);
        Assert.Equal(PoolWorkerCounts.None, health.Value.Workers);
        Assert.Equal(2, purged.Value);
        Assert.Equal(new PoolJobCounts(1, 0, 1, 0, 0), after.Value.Jobs);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Webhook_IsEnqueuedOnceWithTheFinalStatus_AndTtlCleanupDeletesTheJob(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");
        var pool = await harness.CreateCommandPoolAsync(alice);
        var job = (await Submit(harness, alice, pool, new PoolJobSubmission("1", "https://hooks.example.test/done", new PoolJobPolicy(Ttl: 60_000)))).Value;

        await harness.WithAsync<Result<PoolJob>, PoolJobService>(s => s.CancelAsync(alice, pool, job.Id, CancellationToken.None));
        await harness.WithAsync<Result<PoolJob>, PoolJobService>(s => s.CancelAsync(alice, pool, job.Id, CancellationToken.None));
        await using (var db = harness.Database.CreateContext())
        {
            var webhook = Assert.Single(await db.Set<Job>().Where(j => j.Kind == JobKinds.PoolWebhook).ToListAsync());
            Assert.Equal(job.Id.ToString(), webhook.Payload);
        }

        harness.Clock.Advance(TimeSpan.FromSeconds(61));
        await harness.WithAsync<bool, IEnumerable<IMaintenanceTask>>(async tasks =>
        {
            await tasks.OfType<PoolJobsCleanup>().Single().RunAsync(harness.Clock.GetStoredUtcNow(), CancellationToken.None);
            return true;
        });

        await using var after = harness.Database.CreateContext();
        Assert.False(await after.PoolJobs.AnyAsync());
    }

    [Fact]
    public void Json_RunPodShape_HasIdStatusTimesAndRawOutput()
    {
        var job = new PoolJob { Id = Guid.Parse("0190a0a0-0000-7000-8000-000000000001"), Status = PoolJobStatuses.Completed, InputJson = "1", OutputJson = """{"a":[1,2]}""", DelayTimeMs = 12, ExecutionTimeMs = 34 };

        Assert.Equal("""{"id":"0190a0a0-0000-7000-8000-000000000001","status":"COMPLETED","delayTime":12,"executionTime":34,"output":{"a":[1,2]}}""", PoolJobJson.Write(job));
    }

    internal static Task<Result<PoolJob>> Submit(PoolsHarness harness, Guid owner, Guid pool, PoolJobSubmission submission) =>
        harness.WithAsync<Result<PoolJob>, PoolJobService>(s => s.SubmitAsync(owner, pool, submission, CancellationToken.None));

    internal static async Task<PoolJob> Get(PoolsHarness harness, Guid owner, Guid pool, Guid job)
    {
        var result = await harness.WithAsync<Result<PoolJob>, PoolJobService>(s => s.GetAsync(owner, pool, job, CancellationToken.None));
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value;
    }
}
