using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Poddle.Core.Deployments;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Deployments;

/// <summary>Issue 13: a server restarted after a kill -9 leads again at once; another server still waits for the lease to expire.</summary>
public sealed class ControllerLeadershipTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task IsLeader_SameServerRestartedAfterAKill_TakesItsLeaseAtOnce_OthersWaitForExpiry(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var services = new ServiceCollection();
        database.AddTo(services);
        await using var built = services.BuildServiceProvider();
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var store = new ControllerStore(built.GetRequiredService<IServiceScopeFactory>(), clock);
        var jobs = Options.Create(new JobsOptions());
        ControllerLeadership Process(ServerInstance instance) => new(store, instance, jobs, clock);

        // Server A leads, then is killed: its lease is never renewed nor released.
        Assert.True(await Process(new ServerInstance("server-a", persistent: true)).IsLeaderAsync(CancellationToken.None));
        var serverB = Process(new ServerInstance("server-b", persistent: true));
        var ephemeral = Process(ServerInstance.Ephemeral());
        Assert.False(await serverB.IsLeaderAsync(CancellationToken.None));
        Assert.False(await ephemeral.IsLeaderAsync(CancellationToken.None));

        // Server A's next process (same instance id, another process) leads at once; the others still wait.
        var restarted = Process(new ServerInstance("server-a", persistent: true));
        Assert.True(await restarted.IsLeaderAsync(CancellationToken.None));
        Assert.False(await serverB.IsLeaderAsync(CancellationToken.None));

        // An instance id that is not persistent never takes a lease early, even one carrying its id.
        Assert.False(await Process(new ServerInstance("server-b", persistent: false)).IsLeaderAsync(CancellationToken.None));

        // Once the restarted process stops renewing too, the lease's expiry is the rule for everyone else.
        clock.Advance(ControllerLeadership.LeaseDuration + TimeSpan.FromSeconds(1));
        Assert.True(await serverB.IsLeaderAsync(CancellationToken.None));
    }
}
