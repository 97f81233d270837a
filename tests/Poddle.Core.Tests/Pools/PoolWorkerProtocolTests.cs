using Poddle.Core.Common;
using Poddle.Core.Persistence;
using Poddle.Core.Pools;
using Poddle.Testing;

namespace Poddle.Core.Tests.Pools;

public sealed class PoolWorkerProtocolTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task CreateWorker_GivesRunPodsEnvironmentWithThePoolsEnvAndSecrets(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");
        var pool = (await harness.CreatePoolAsync(alice, new NewPool("w", Command: ["python3", "h.py"], Env: new Dictionary<string, string> { ["MODE"] = "x" }, Secrets: new Dictionary<string, string> { ["TOKEN"] = "t0p" }))).Value.Pool.Id;

        var env = (await harness.WithAsync<Result<IReadOnlyDictionary<string, string>>, PoolWorkerProtocol>(p => p.CreateWorkerAsync(pool, "w-1", new Uri("http://10.0.0.1:8080/"), CancellationToken.None))).Value;

        Assert.Equal(("x", "t0p", "w-1", "10000"), (env["MODE"], env["TOKEN"], env[PoolWorkerEnvironment.PodId], env[PoolWorkerEnvironment.PingInterval]));
        Assert.Equal($"http://10.0.0.1:8080/v2/{pool}/job-take/$ID?protocol=runpod", env[PoolWorkerEnvironment.GetJob]);
        Assert.Equal($"http://10.0.0.1:8080/v2/{pool}/job-done/$RUNPOD_POD_ID/$ID?protocol=runpod", env[PoolWorkerEnvironment.PostOutput]);
        Assert.Equal($"http://10.0.0.1:8080/v2/{pool}/job-stream/$RUNPOD_POD_ID/$ID?protocol=runpod", env[PoolWorkerEnvironment.PostStream]);
        Assert.Equal($"http://10.0.0.1:8080/v2/{pool}/ping/$RUNPOD_POD_ID", env[PoolWorkerEnvironment.Ping]);
        Assert.StartsWith(PoolWorkerEnvironment.KeyPrefix, env[PoolWorkerEnvironment.ApiKey], StringComparison.Ordinal);

        // The key is stored hashed: the stored row does not hold it.
        await using var db = harness.Database.CreateContext();
        Assert.DoesNotContain(db.Set<PoolWorkerKey>(), k => k.KeyHash.Contains(env[PoolWorkerEnvironment.ApiKey][4..], StringComparison.Ordinal));
        var key = await harness.WithAsync<PoolWorkerKey?, PoolWorkerProtocol>(p => p.AuthenticateAsync(env[PoolWorkerEnvironment.ApiKey], CancellationToken.None));
        Assert.Equal((pool, "w-1"), (key!.PoolId, key.WorkerId));
        Assert.Null(await harness.WithAsync<PoolWorkerKey?, PoolWorkerProtocol>(p => p.AuthenticateAsync(env[PoolWorkerEnvironment.ApiKey] + "x", CancellationToken.None)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RequeueJobsOf_LostWorker_QueuesItsJobAgainCountedAsRetried_ThenFailsPastMaxRetries(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");
        var pool = await harness.CreateCommandPoolAsync(alice, maxRetries: 1);
        var lost = await harness.CreateWorkerAsync(pool, "lost");
        var other = await harness.CreateWorkerAsync(pool, "other");
        var job = (await PoolJobServiceTests.Submit(harness, alice, pool, new PoolJobSubmission("1"))).Value;
        await harness.WithAsync<IReadOnlyList<PoolJob>, PoolWorkerProtocol>(p => p.TakeAsync(lost, 1, TimeSpan.Zero, CancellationToken.None));

        var requeued = await harness.WithAsync<int, PoolWorkerProtocol>(p => p.RequeueJobsOfAsync("lost", CancellationToken.None));
        var again = await harness.WithAsync<int, PoolWorkerProtocol>(p => p.RequeueJobsOfAsync("lost", CancellationToken.None));
        var queued = await PoolJobServiceTests.Get(harness, alice, pool, job.Id);
        var lateFromLost = await harness.WithAsync<Result<bool>, PoolWorkerProtocol>(p => p.PostResultAsync(lost, job.Id, """{"output":1}""", CancellationToken.None));
        var takenByOther = await harness.WithAsync<IReadOnlyList<PoolJob>, PoolWorkerProtocol>(p => p.TakeAsync(other, 1, TimeSpan.Zero, CancellationToken.None));
        await harness.WithAsync<int, PoolWorkerProtocol>(p => p.RequeueJobsOfAsync("other", CancellationToken.None));
        var failed = await PoolJobServiceTests.Get(harness, alice, pool, job.Id);
        var health = await harness.WithAsync<Result<PoolHealth>, PoolJobService>(s => s.HealthAsync(alice, pool, CancellationToken.None));

        Assert.Equal((1, 0), (requeued, again));
        Assert.Equal((PoolJobStatuses.InQueue, 1, (string?)null), (queued.Status, queued.Retries, queued.WorkerId));
        Assert.False(lateFromLost.Value);
        Assert.Equal(job.Id, Assert.Single(takenByOther).Id);
        Assert.Equal(PoolJobStatuses.Failed, failed.Status);
        Assert.Equal(new PoolJobCounts(0, 1, 0, 0, 1), health.Value.Jobs);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Take_LongPoll_IsWokenByASubmittedJob_AndTwoWorkersNeverShareAJob(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");
        var pool = await harness.CreateCommandPoolAsync(alice);
        var a = await harness.CreateWorkerAsync(pool, "a");
        var b = await harness.CreateWorkerAsync(pool, "b");

        // The fake clock never moves, so only the queue's signal can end these waits (each would hold 60 s).
        var takeA = harness.WithAsync<IReadOnlyList<PoolJob>, PoolWorkerProtocol>(p => p.TakeAsync(a, 1, TimeSpan.FromSeconds(60), CancellationToken.None));
        var takeB = harness.WithAsync<IReadOnlyList<PoolJob>, PoolWorkerProtocol>(p => p.TakeAsync(b, 1, TimeSpan.FromSeconds(60), CancellationToken.None));
        await PoolJobServiceTests.Submit(harness, alice, pool, new PoolJobSubmission("1"));
        await PoolJobServiceTests.Submit(harness, alice, pool, new PoolJobSubmission("2"));
        var jobs = (await Task.WhenAll(takeA, takeB).WaitAsync(TimeSpan.FromSeconds(30))).SelectMany(j => j).ToList();

        Assert.Equal(2, jobs.Count);
        Assert.Equal(2, jobs.Select(j => j.Id).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Stream_ChunksAreHandedOutOnceInOrder(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider, o => o.StreamWait = TimeSpan.Zero);
        var alice = await harness.CreateUserAsync("alice");
        var pool = await harness.CreateCommandPoolAsync(alice);
        var worker = await harness.CreateWorkerAsync(pool, "w");
        var job = (await PoolJobServiceTests.Submit(harness, alice, pool, new PoolJobSubmission("1"))).Value;
        await harness.WithAsync<IReadOnlyList<PoolJob>, PoolWorkerProtocol>(p => p.TakeAsync(worker, 1, TimeSpan.Zero, CancellationToken.None));

        foreach (var chunk in new[] { "\"a\"", "\"b\"" })
        {
            await harness.WithAsync<Result<bool>, PoolWorkerProtocol>(p => p.PostStreamAsync(worker, job.Id, $$"""{"output":{{chunk}}}""", CancellationToken.None));
        }

        var first = await harness.WithAsync<Result<PoolJobStreamRead>, PoolJobService>(s => s.StreamAsync(alice, pool, job.Id, CancellationToken.None));
        await harness.WithAsync<Result<bool>, PoolWorkerProtocol>(p => p.PostStreamAsync(worker, job.Id, """{"output":"c"}""", CancellationToken.None));
        await harness.WithAsync<Result<bool>, PoolWorkerProtocol>(p => p.PostResultAsync(worker, job.Id, """{"output":["a","b","c"]}""", CancellationToken.None));
        var second = await harness.WithAsync<Result<PoolJobStreamRead>, PoolJobService>(s => s.StreamAsync(alice, pool, job.Id, CancellationToken.None));

        Assert.Equal(["\"a\"", "\"b\""], first.Value.Chunks.Select(c => c.OutputJson));
        Assert.Equal(PoolJobStatuses.InProgress, first.Value.Status);
        Assert.Equal(["\"c\""], second.Value.Chunks.Select(c => c.OutputJson));
        Assert.Equal(PoolJobStatuses.Completed, second.Value.Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Take_AWaiterThatTimedOut_DoesNotStopTheOthersBeingWoken(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");
        var pool = await harness.CreateCommandPoolAsync(alice);
        var a = await harness.CreateWorkerAsync(pool, "a");
        var b = await harness.CreateWorkerAsync(pool, "b");

        // b waits (the fake clock never moves, so only the signal can wake it); a's zero wait ends at once, empty-handed.
        var takeB = harness.WithAsync<IReadOnlyList<PoolJob>, PoolWorkerProtocol>(p => p.TakeAsync(b, 1, TimeSpan.FromSeconds(60), CancellationToken.None));
        Assert.Empty(await harness.WithAsync<IReadOnlyList<PoolJob>, PoolWorkerProtocol>(p => p.TakeAsync(a, 1, TimeSpan.Zero, CancellationToken.None)));
        await PoolJobServiceTests.Submit(harness, alice, pool, new PoolJobSubmission("1"));

        Assert.Single(await takeB.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task WaitStopAsync_HeldJob_NullUntilCancelledOrPastItsDeadline_ThenItsStatus(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");
        var pool = await harness.CreateCommandPoolAsync(alice);
        var worker = await harness.CreateWorkerAsync(pool, "w");
        var other = await harness.CreateWorkerAsync(pool, "other");
        var shortJob = (await PoolJobServiceTests.Submit(harness, alice, pool, new PoolJobSubmission("1", Policy: new PoolJobPolicy(ExecutionTimeout: 5000)))).Value.Id;
        var longJob = (await PoolJobServiceTests.Submit(harness, alice, pool, new PoolJobSubmission("2"))).Value.Id;
        await harness.WithAsync<IReadOnlyList<PoolJob>, PoolWorkerProtocol>(p => p.TakeAsync(worker, 2, TimeSpan.Zero, CancellationToken.None));
        Task<string?> WaitStop(PoolWorkerKey key, Guid job) =>
            harness.WithAsync<string?, PoolWorkerProtocol>(p => p.WaitStopAsync(key, job, TimeSpan.Zero, CancellationToken.None));

        var whileHeld = await WaitStop(worker, longJob);
        var notTheOthers = await WaitStop(other, longJob);
        harness.Clock.Advance(TimeSpan.FromSeconds(5));
        var pastDeadline = await WaitStop(worker, shortJob);
        await harness.WithAsync<Result<PoolJob>, PoolJobService>(s => s.CancelAsync(alice, pool, longJob, CancellationToken.None));
        var cancelled = await WaitStop(worker, longJob);

        Assert.Null(whileHeld);
        Assert.Equal(PoolJobStatuses.InProgress, notTheOthers);
        Assert.Equal(PoolJobStatuses.TimedOut, pastDeadline);
        Assert.Equal(PoolJobStatuses.TimedOut, (await PoolJobServiceTests.Get(harness, alice, pool, shortJob)).Status);
        Assert.Equal(PoolJobStatuses.Cancelled, cancelled);
    }
}
