using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Jobs;

public sealed class RecurringJobSchedulerTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task EnqueueDue_SeveralSchedulers_EnqueueEachOccurrenceOnce(DatabaseProvider provider)
    {
        await using var jobs = await JobsHarness.CreateAsync(provider, configure: services =>
            services.AddRecurringJob("every-5-min", "*/5 * * * *", ScriptedJobHandler.JobKind, """{"x":1}"""));
        var scheduler = jobs.Services.GetRequiredService<RecurringJobScheduler>();
        await scheduler.SyncDefinitionsAsync(CancellationToken.None);
        await scheduler.SyncDefinitionsAsync(CancellationToken.None); // a second server starting: no change

        // 12:00 is the fake start: the first occurrence is 12:05.
        Assert.Equal(0, await scheduler.EnqueueDueAsync(CancellationToken.None));
        jobs.Clock.Advance(TimeSpan.FromMinutes(5));

        // Three "servers" race for the 12:05 occurrence; then the 12:10 one.
        var created = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => scheduler.EnqueueDueAsync(CancellationToken.None)));
        Assert.Equal(1, created.Sum());
        Assert.Equal(0, await scheduler.EnqueueDueAsync(CancellationToken.None));
        jobs.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, await scheduler.EnqueueDueAsync(CancellationToken.None));

        await using var db = jobs.Database.CreateContext();
        var enqueued = await db.Set<Job>().OrderBy(j => j.RunAt).ToListAsync();
        Assert.Equal(
            ["recurring:every-5-min:2030-01-01T12:05:00Z", "recurring:every-5-min:2030-01-01T12:10:00Z"],
            enqueued.Select(j => j.IdempotencyKey));
        Assert.All(enqueued, j => Assert.Equal("""{"x":1}""", j.Payload));
        var schedule = await db.Set<RecurringJob>().SingleAsync(r => r.Name == "every-5-min");
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 12, 15, 0, TimeSpan.Zero), schedule.NextRunAt);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task EnqueueDue_ServersDownForHours_CoalescesMissedOccurrences(DatabaseProvider provider)
    {
        await using var jobs = await JobsHarness.CreateAsync(provider, configure: services =>
            services.AddRecurringJob("hourly", "0 * * * *", ScriptedJobHandler.JobKind));
        var scheduler = jobs.Services.GetRequiredService<RecurringJobScheduler>();
        await scheduler.SyncDefinitionsAsync(CancellationToken.None);

        jobs.Clock.Advance(TimeSpan.FromHours(5) + TimeSpan.FromMinutes(30));

        await scheduler.EnqueueDueAsync(CancellationToken.None);
        Assert.Equal(0, await scheduler.EnqueueDueAsync(CancellationToken.None));
        await using var db = jobs.Database.CreateContext();

        // Five hourly occurrences were missed (13:00 to 17:00): one job, for the first; the next run is 18:00.
        var hourly = await db.Set<Job>().SingleAsync(j => j.Kind == ScriptedJobHandler.JobKind);
        Assert.Equal("recurring:hourly:2030-01-01T13:00:00Z", hourly.IdempotencyKey);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 18, 0, 0, TimeSpan.Zero), (await db.Set<RecurringJob>().SingleAsync(r => r.Name == "hourly")).NextRunAt);
    }
}
