using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Jobs;

/// <summary>
/// Issue 13: jobs held by a server killed with SIGKILL resumed only when their leases expired (two minutes). A server
/// that can tell the lease holder was itself before the restart (its instance id in the lease), or that owns the queue
/// alone (SQLite), takes them back at once; other servers' leases stay the rule, short and kept alive by heartbeats.
/// </summary>
public sealed class JobTakeBackTests
{
    private const string ThisServer = "server-a";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task TakeBack_HeldByThisServersKilledProcess_RunsAtOnceAndCountsTheAttempt(DatabaseProvider provider)
    {
        await using var jobs = await HarnessAsync(provider, new ServerInstance(ThisServer, persistent: true));
        var job = await jobs.EnqueueAsync();
        await ClaimAsync(jobs, $"{ThisServer}/old-host:4242:1-deadbeef");

        Assert.False(await jobs.Processor.RunNextAsync(CancellationToken.None));
        Assert.Equal(1, await jobs.Processor.TakeBackInterruptedAsync(CancellationToken.None));

        var queued = await jobs.GetAsync(job.Id);
        Assert.Equal((JobState.Queued, 1, JobProcessor.TakenBackError), (queued.State, queued.Attempts, queued.LastError));
        Assert.Null(queued.LeaseExpiresAt);
        Assert.True(await jobs.Processor.RunNextAsync(CancellationToken.None));
        var done = await jobs.GetAsync(job.Id);
        Assert.Equal((JobState.Succeeded, 2, null), (done.State, done.Attempts, done.LastError));
        Assert.StartsWith($"{ThisServer}/", done.LeaseOwner, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task TakeBack_HeldByAnotherServer_OnlySqliteWhichOwnsTheQueueTakesItBack(DatabaseProvider provider)
    {
        await using var jobs = await HarnessAsync(provider, new ServerInstance(ThisServer, persistent: true));
        var job = await jobs.EnqueueAsync();
        await ClaimAsync(jobs, "server-b/other-host:7:1-cafebabe");

        var taken = await jobs.Processor.TakeBackInterruptedAsync(CancellationToken.None);

        if (provider == DatabaseProvider.Sqlite)
        {
            Assert.Equal(1, taken);
            Assert.True(await jobs.Processor.RunNextAsync(CancellationToken.None));
        }
        else
        {
            // Another live server may be running it: only the lease's expiry frees it.
            Assert.Equal(0, taken);
            jobs.Clock.Advance(JobsHarness.Lease - TimeSpan.FromSeconds(1));
            Assert.False(await jobs.Processor.RunNextAsync(CancellationToken.None));
            jobs.Clock.Advance(TimeSpan.FromSeconds(2));
            Assert.True(await jobs.Processor.RunNextAsync(CancellationToken.None));
        }

        Assert.Equal(JobState.Succeeded, (await jobs.GetAsync(job.Id)).State);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task TakeBack_EphemeralInstanceOrThisProcessesOwnLease_TakesNothing(DatabaseProvider provider)
    {
        await using (var ephemeral = await HarnessAsync(provider, ServerInstance.Ephemeral()))
        {
            await ephemeral.EnqueueAsync();
            await ClaimAsync(ephemeral, "whoever/host:1:1-aaaa");
            Assert.Equal(0, await ephemeral.Processor.TakeBackInterruptedAsync(CancellationToken.None));
        }

        await using var jobs = await HarnessAsync(provider, new ServerInstance(ThisServer, persistent: true));
        var job = await jobs.EnqueueAsync();
        await ClaimAsync(jobs, jobs.Processor.LeaseOwnerPrefix + "99-abcdef01");

        Assert.Equal(0, await jobs.Processor.TakeBackInterruptedAsync(CancellationToken.None));
        Assert.Equal(JobState.Running, (await jobs.GetAsync(job.Id)).State);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RunNext_JobLongerThanManyLeases_KeepsItsLeaseByHeartbeats_AnotherServerNeverTakesIt(DatabaseProvider provider)
    {
        await using var jobs = await HarnessAsync(provider, new ServerInstance(ThisServer, persistent: true));
        var job = await jobs.EnqueueAsync();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        jobs.Handler.Behaviour = async (_, _) =>
        {
            started.TrySetResult();
            await release.Task;
        };
        var other = OtherServer(jobs, "server-b");

        var run = jobs.Processor.RunNextAsync(CancellationToken.None);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // Five lease durations pass, one heartbeat interval at a time; each time the lease must still be ahead of the clock.
        var end = jobs.Clock.GetUtcNow() + (5 * JobsHarness.Lease);
        while (jobs.Clock.GetUtcNow() < end)
        {
            var before = (await jobs.GetAsync(job.Id)).LeaseExpiresAt!.Value;
            jobs.Clock.Advance(JobsHarness.Heartbeat);
            await WaitForLeaseBeyondAsync(jobs, job.Id, before);
            Assert.False(await other.RunNextAsync(CancellationToken.None), "another server must not take a job whose worker heartbeats");
        }

        release.SetResult();
        Assert.True(await run.WaitAsync(TimeSpan.FromSeconds(20)));
        var done = await jobs.GetAsync(job.Id);
        Assert.Equal((JobState.Succeeded, 1), (done.State, done.Attempts));
    }

    [Fact]
    public void Defaults_LeaseIsShortAndHeartbeatsKeepItWithRoomForTwoMissedBeats()
    {
        var defaults = new JobsOptions();

        Assert.Equal(TimeSpan.FromSeconds(30), defaults.LeaseDuration);
        Assert.True(defaults.HeartbeatInterval * 3 <= defaults.LeaseDuration);
        Assert.True(new JobsOptionsValidator().Validate(null, defaults).Succeeded);
    }

    private static Task<JobsHarness> HarnessAsync(DatabaseProvider provider, ServerInstance instance) =>
        JobsHarness.CreateAsync(provider, configure: services => services.AddSingleton(instance));

    /// <summary>As a worker of a killed process left it: claimed (Running, attempt counted), then never heartbeaten nor finished.</summary>
    private static async Task ClaimAsync(JobsHarness jobs, string owner)
    {
        await using var scope = jobs.Scope();
        var now = jobs.Clock.GetUtcNow();
        var claimed = await scope.ServiceProvider.GetRequiredService<IJobClaimer>().ClaimAsync(
            scope.ServiceProvider.GetRequiredService<PoddleDbContext>(), owner, now, now + JobsHarness.Lease, JobKindFilter.All, CancellationToken.None);
        Assert.NotNull(claimed);
    }

    /// <summary>A second server on the same database and clock, with its own instance id.</summary>
    private static JobProcessor OtherServer(JobsHarness jobs, string instance) => new(
        jobs.Services.GetRequiredService<IServiceScopeFactory>(),
        jobs.Services.GetRequiredService<IJobClaimer>(),
        jobs.Services.GetRequiredService<JobReadiness>(),
        new ServerInstance(instance, persistent: true),
        jobs.Services.GetRequiredService<IOptions<JobsOptions>>(),
        jobs.Clock,
        NullLogger<JobProcessor>.Instance);

    /// <summary>The heartbeat's timer fires on the fake clock but writes asynchronously: wait (bounded) until it has.</summary>
    private static Task WaitForLeaseBeyondAsync(JobsHarness jobs, Guid id, DateTimeOffset previous) =>
        Poll.UntilAsync(
            async () => (await jobs.GetAsync(id)).LeaseExpiresAt!.Value > previous,
            "the heartbeat extended the lease",
            TimeSpan.FromSeconds(20));
}
