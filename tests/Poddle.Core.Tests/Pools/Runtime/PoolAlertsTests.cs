using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Alerts;
using Poddle.Core.Persistence;
using Poddle.Core.Pools;
using Poddle.Core.Pools.Runtime;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Testing;

namespace Poddle.Core.Tests.Pools.Runtime;

/// <summary>The pool controller's spawn failures as the owner's alert: the real pass and database, a recording notifier.</summary>
public sealed class PoolAlertsTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RunAsync_SpawnFailsThenStarts_TheOwnersIncidentRaisedThenResolvedByTheStart(DatabaseProvider provider)
    {
        await using var h = await PoolControllerStepHarness.CreateAsync(provider, new NewPool("gpu", MaxWorkers: 1, Scaler: new PoolScalerInput(PoolScalerTypes.RequestCount, 1)));
        h.Driver.FailStarts = PodFailureKind.NoCapacity;

        var alerts = (Fleet.RecordingAlertNotifier)h.Pools.Services.GetRequiredService<IAlertNotifier>();

        await h.SubmitAsync(1);
        await h.PassAsync();
        await h.AdvanceAsync(PoolControllerStep.StartRetryDelay * 3, TimeSpan.FromSeconds(10), pinging: false);

        // Each failed start raises the same incident (the notifier sends it once: DatabaseAlertNotifierTests).
        var key = PoolAlerts.Key(h.Pool, PoolAlerts.SpawnFailed);
        Assert.NotEmpty(alerts.Raised);
        Assert.All(alerts.Raised, a => Assert.Equal((key, (Guid?)h.Owner, AlertLevel.Warning), (a.Key, a.OwnerId, a.Level)));
        Assert.Contains("no capacity at the provider", alerts.Raised.First().Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key, alerts.Resolved);

        h.Driver.FailStarts = null;
        await h.AdvanceAsync(PoolControllerStep.StartRetryDelay * 4, TimeSpan.FromSeconds(10), pinging: false);

        Assert.NotEmpty(h.Driver.Started);
        Assert.Contains(key, alerts.Resolved);
    }
}
