using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Data.Tests.Jobs;

public sealed class JobClaimerTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Claim_ManyConcurrentClaimers_NeverClaimTheSameJobTwice(DatabaseProvider provider)
    {
        const int JobCount = 150;
        const int Claimers = 12;
        await using var database = await TestDatabase.CreateAsync(provider);
        var services = database.AddTo(new ServiceCollection()).BuildServiceProvider();
        var now = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await using (var db = database.CreateContext())
        {
            for (var i = 0; i < JobCount; i++)
            {
                db.Set<Job>().Add(new Job { Id = Guid.CreateVersion7(), Kind = "k", State = JobState.Queued, MaxAttempts = 3, RunAt = now.AddMilliseconds(-i), CreatedAt = now });
            }

            await db.SaveChangesAsync();
        }

        var claimed = new ConcurrentBag<(Guid Job, string Owner)>();
        await Task.WhenAll(Enumerable.Range(0, Claimers).Select(c => Task.Run(async () =>
        {
            var owner = $"claimer-{c}";
            while (true)
            {
                await using var scope = services.CreateAsyncScope();
                var job = await scope.ServiceProvider.GetRequiredService<IJobClaimer>().ClaimAsync(
                    scope.ServiceProvider.GetRequiredService<PoddleDbContext>(), owner, now, now.AddMinutes(1), JobKindFilter.All, CancellationToken.None);
                if (job is null)
                {
                    return;
                }

                Assert.Equal((JobState.Running, owner, 1), (job.State, job.LeaseOwner, job.Attempts));
                claimed.Add((job.Id, owner));
            }
        })));

        Assert.Equal(JobCount, claimed.Count);
        Assert.Equal(JobCount, claimed.Select(c => c.Job).Distinct().Count());
        if (provider == DatabaseProvider.Postgres)
        {
            Assert.True(claimed.Select(c => c.Owner).Distinct().Count() > 1, "the work spreads over the claimers");
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Claim_WithKindFilter_TakesOnlyMatchingKinds(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var services = database.AddTo(new ServiceCollection()).BuildServiceProvider();
        var claimer = services.GetRequiredService<IJobClaimer>();
        var now = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await using (var db = database.CreateContext())
        {
            // The oldest job is of the lane's kind, so an unfiltered claim would take it first.
            db.Set<Job>().Add(new Job { Id = Guid.CreateVersion7(), Kind = "execution", State = JobState.Queued, MaxAttempts = 3, RunAt = now.AddSeconds(-2), CreatedAt = now });
            db.Set<Job>().Add(new Job { Id = Guid.CreateVersion7(), Kind = "other", State = JobState.Queued, MaxAttempts = 3, RunAt = now.AddSeconds(-1), CreatedAt = now });
            await db.SaveChangesAsync();
        }

        async Task<Job?> ClaimAsync(JobKindFilter kinds)
        {
            await using var scope = services.CreateAsyncScope();
            return await claimer.ClaimAsync(scope.ServiceProvider.GetRequiredService<PoddleDbContext>(), "o", now, now.AddMinutes(1), kinds, CancellationToken.None);
        }

        var defaultLane = new JobKindFilter([], ["execution"]);
        Assert.Equal("other", (await ClaimAsync(defaultLane))?.Kind);
        Assert.Null(await ClaimAsync(defaultLane));
        Assert.Equal("execution", (await ClaimAsync(new JobKindFilter(["execution"], [])))?.Kind);
        Assert.Null(await ClaimAsync(JobKindFilter.All));
    }
}
