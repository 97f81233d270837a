using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Accounts;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Jobs;

public sealed class MaintenanceJobTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Handle_MixedRows_PurgesOnlyWhatHasEnded(DatabaseProvider provider)
    {
        // Accounts brings its own clean-up task (AddPoddleAccounts registers it); the job runs every registered one.
        await using var jobs = await JobsHarness.CreateAsync(provider, configure: services => services.AddScoped<IMaintenanceTask, AccountsCleanup>());
        var now = jobs.Clock.GetUtcNow();
        var user = new User { Id = Guid.NewGuid(), Email = "a@example.test", Username = "alice", PasswordHash = "x", CreatedAt = now, UpdatedAt = now };
        UserSession Session(DateTimeOffset expires, DateTimeOffset? revoked = null) =>
            new() { Id = Guid.NewGuid(), UserId = user.Id, CreatedAt = now.AddDays(-40), LastUsedAt = now, ExpiresAt = expires, RevokedAt = revoked };
        var live = Session(now.AddDays(1));
        var expired = Session(now.AddMinutes(-1));
        var revokedLongAgo = Session(now.AddDays(1), now.AddDays(-1));
        var revokedJustNow = Session(now.AddDays(1), now.AddSeconds(-5));
        await using (var db = jobs.Database.CreateContext())
        {
            db.Users.Add(user);
            db.Sessions.AddRange(live, expired, revokedLongAgo, revokedJustNow);
            db.RefreshTokens.AddRange(
                new RefreshToken { Id = Guid.NewGuid(), SessionId = live.Id, TokenHash = "live", CreatedAt = now, ExpiresAt = now.AddDays(1) },
                new RefreshToken { Id = Guid.NewGuid(), SessionId = live.Id, TokenHash = "old", CreatedAt = now.AddDays(-31), ExpiresAt = now.AddDays(-1) });
            db.LoginFailures.AddRange(
                new LoginFailure { Key = "recent", OccurredAt = now.AddMinutes(-1) },
                new LoginFailure { Key = "old", OccurredAt = now.AddHours(-1) });
            db.Set<Job>().AddRange(
                new Job { Id = Guid.NewGuid(), Kind = "k", State = JobState.Succeeded, CreatedAt = now.AddDays(-9), RunAt = now.AddDays(-9), CompletedAt = now.AddDays(-8) },
                new Job { Id = Guid.NewGuid(), Kind = "k", State = JobState.Succeeded, CreatedAt = now.AddDays(-1), RunAt = now.AddDays(-1), CompletedAt = now.AddDays(-1) },
                new Job { Id = Guid.NewGuid(), Kind = "k", State = JobState.Dead, CreatedAt = now.AddDays(-9), RunAt = now.AddDays(-9), CompletedAt = now.AddDays(-8) });
            await db.SaveChangesAsync();
        }

        await using (var scope = jobs.Scope())
        {
            var handler = scope.ServiceProvider.GetRequiredKeyedService<IJobHandler>(MaintenanceJob.JobKind);
            await handler.HandleAsync(new JobContext(Guid.NewGuid(), MaintenanceJob.JobKind, null, 1, 3, "test"), CancellationToken.None);
        }

        await using var check = jobs.Database.CreateContext();
        Assert.Equal(
            new[] { live.Id, revokedJustNow.Id }.Order(),
            (await check.Sessions.Select(s => s.Id).ToListAsync()).Order());
        Assert.Equal(["live"], await check.RefreshTokens.Select(t => t.TokenHash).ToListAsync());
        Assert.Equal(["recent"], await check.LoginFailures.Select(f => f.Key).ToListAsync());
        Assert.Equal(2, await check.Set<Job>().CountAsync());
        Assert.Equal(1, await check.Set<Job>().CountAsync(j => j.State == JobState.Dead));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SyncDefinitions_Default_SchedulesMaintenance(DatabaseProvider provider)
    {
        await using var jobs = await JobsHarness.CreateAsync(provider);

        await jobs.Services.GetRequiredService<RecurringJobScheduler>().SyncDefinitionsAsync(CancellationToken.None);

        await using var db = jobs.Database.CreateContext();
        var schedule = await db.Set<RecurringJob>().SingleAsync();
        Assert.Equal((MaintenanceJob.ScheduleName, MaintenanceJob.JobKind, "17 * * * *"), (schedule.Name, schedule.Kind, schedule.Cron));
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 12, 17, 0, TimeSpan.Zero), schedule.NextRunAt);
    }
}
