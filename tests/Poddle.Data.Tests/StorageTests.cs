using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Accounts;
using Poddle.Core.Persistence;
using Poddle.Core.Projects;
using Poddle.Testing;

namespace Poddle.Data.Tests;

/// <summary>The storage suite every provider must pass.</summary>
public sealed class StorageTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 17, 8, 30, 15, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Migrate_AppliesEveryMigration_AndTheModelHasNoPendingChanges(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateContext();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.NotEmpty(await db.Database.GetAppliedMigrationsAsync());
        Assert.False(db.Database.HasPendingModelChanges(), "The model changed without a migration: run scripts/migrations.sh.");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Save_DuplicateUniqueValue_IsRecognisedAsAUniqueViolation(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = database.AddTo(new ServiceCollection()).BuildServiceProvider();
        var errors = services.GetRequiredService<IDatabaseErrors>();
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
            db.Users.Add(NewUser("one"));
            await db.SaveChangesAsync();
        }

        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
            db.Users.Add(NewUser("one"));
            var duplicate = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            Assert.True(errors.IsUniqueViolation(duplicate));
        }

        await using (var scope = services.CreateAsyncScope())
        {
            // A foreign-key violation is a different failure and must not be mistaken for a duplicate.
            var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
            db.Projects.Add(new Project { Id = Guid.NewGuid(), OwnerId = Guid.NewGuid(), Name = "orphan", CreatedAt = T0, UpdatedAt = T0 });
            var orphan = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            Assert.False(errors.IsUniqueViolation(orphan));
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task DateTimeOffset_RoundTripsToTheMicrosecond_AndOrdersAndComparesByInstant(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var precise = T0.AddTicks(1234567); // 123.4567 ms: the stores keep microseconds.
        await using (var db = database.CreateContext())
        {
            db.LoginFailures.AddRange(
                new LoginFailure { Key = "k", OccurredAt = precise },
                new LoginFailure { Key = "k", OccurredAt = T0.AddHours(-1) },
                new LoginFailure { Key = "k", OccurredAt = T0.AddDays(1) },
                new LoginFailure { Key = "k", OccurredAt = T0.AddMinutes(-2) });
            await db.SaveChangesAsync();
        }

        await using (var db = database.CreateContext())
        {
            var ordered = await db.LoginFailures.Where(f => f.Key == "k").OrderBy(f => f.OccurredAt).Select(f => f.OccurredAt).ToListAsync();
            Assert.Equal([T0.AddHours(-1), T0.AddMinutes(-2), T0.AddTicks(1234560), T0.AddDays(1)], ordered);
            Assert.All(ordered, v => Assert.Equal(TimeSpan.Zero, v.Offset));
            Assert.Equal(2, await db.LoginFailures.CountAsync(f => f.OccurredAt > T0));
            Assert.Equal(T0.AddTicks(1234560), await db.LoginFailures.Where(f => f.OccurredAt > T0 && f.OccurredAt < T0.AddHours(1)).Select(f => f.OccurredAt).SingleAsync());
        }
    }

    private static User NewUser(string name) => new()
    {
        Id = Guid.NewGuid(),
        Email = name + "@example.test",
        Username = name,
        PasswordHash = "$2a$10$notarealhashnotarealhashnotarealhashnotarealhashnot",
        CreatedAt = T0,
        UpdatedAt = T0,
    };
}
