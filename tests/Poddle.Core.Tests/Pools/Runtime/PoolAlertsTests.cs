using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Alerts;
using Poddle.Core.Persistence;
using Poddle.Core.Pools;
using Poddle.Core.Pools.Runtime;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Testing;

namespace Poddle.Core.Tests.Pools.Runtime;

/// <summary>The pool controller's spawn failures as the owner's alert: the real pass, notifier and database.</summary>
public sealed class PoolAlertsTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RunAsync_SpawnFailsThenStarts_OneIncidentForTheOwner_ResolvedByTheStart(DatabaseProvider provider)
    {
        await using var h = await PoolControllerStepHarness.CreateAsync(provider, new NewPool("gpu", MaxWorkers: 1, Scaler: new PoolScalerInput(PoolScalerTypes.RequestCount, 1)));
        h.Driver.FailStarts = PodFailureKind.NoCapacity;

        await h.SubmitAsync(1);
        await h.PassAsync();
        await h.AdvanceAsync(PoolControllerStep.StartRetryDelay * 3, TimeSpan.FromSeconds(10), pinging: false);

        var firing = Assert.Single(await IncidentsAsync(h));
        Assert.Equal((PoolAlerts.Key(h.Pool, PoolAlerts.SpawnFailed), h.Owner, AlertLevel.Warning), (firing.Key, firing.OwnerId, firing.Level));
        Assert.Contains("no capacity at the provider", firing.Message, StringComparison.Ordinal);
        Assert.Equal(firing.Key, firing.FiringKey);

        h.Driver.FailStarts = null;
        await h.AdvanceAsync(PoolControllerStep.StartRetryDelay + TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), pinging: false);

        Assert.NotEmpty(h.Driver.Started);
        var resolved = Assert.Single(await IncidentsAsync(h));
        Assert.Null(resolved.FiringKey);
        Assert.NotNull(resolved.ResolvedAt);
    }

    private static async Task<List<AlertIncident>> IncidentsAsync(PoolControllerStepHarness h)
    {
        await using var scope = h.Pools.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Set<AlertIncident>().AsNoTracking().ToListAsync();
    }
}
