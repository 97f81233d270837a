using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Deployments;

public sealed class ReplicaHealthMonitorTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Monitor_CrashLoop_RestartsAfter10Then20Then40Seconds(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        h.Driver.Script = _ => new FakePodScript(ExitAfter: TimeSpan.FromSeconds(5), ExitCode: 3);
        var id = await h.CreateDeploymentAsync(1);
        await h.SettleAsync();

        var crashes = new List<(DateTimeOffset At, DateTimeOffset RestartAt)>();
        var restarts = new List<DateTimeOffset>();
        var seenRestarts = 0;
        await h.RunForAsync(120, async () =>
        {
            var replica = Assert.Single(await h.ReplicasAsync(id));
            if (replica.Phase == ReplicaPhase.Crashed && (crashes.Count == 0 || crashes[^1].At != replica.LastExitAt))
            {
                crashes.Add((replica.LastExitAt!.Value, replica.NextRestartAt!.Value));
                Assert.Equal("exit code 3", replica.LastExitReason);
            }

            if (replica.Restarts != seenRestarts)
            {
                seenRestarts = replica.Restarts;
                restarts.Add(h.Clock.GetUtcNow());
            }
        });

        Assert.True(crashes.Count >= 3, $"{crashes.Count} crashes");
        Assert.Equal(
            [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(40)],
            crashes.Take(3).Select(c => c.RestartAt - c.At));

        // Each restart happens when its back-off ends, not before.
        for (var i = 0; i < Math.Min(3, restarts.Count); i++)
        {
            Assert.Equal(crashes[i].RestartAt, restarts[i]);
        }

        var events = await h.EventsAsync(id);
        var crashed = Assert.Single(events, e => e.Type == "ReplicaCrashed");
        Assert.Equal("exit code 3", crashed.Reason);
        Assert.True(crashed.Count >= 3, "repeats are one de-duplicated event with a count");
        var deployment = await h.GetAsync(id);
        Assert.Equal(DeploymentStatus.Unhealthy, deployment.Status);
        Assert.Contains("exit code 3", deployment.StatusReason, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Monitor_OomKilled_RecordsReasonAndRestarts(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(2);
        await h.SettleAsync();
        var victim = (await h.ReplicasAsync(id))[0];

        await h.PodOf(victim).OomKillAsync();
        await h.RunForAsync(1);

        var crashed = (await h.ReplicasAsync(id)).Single(r => r.Id == victim.Id);
        Assert.Equal((ReplicaPhase.Crashed, false, "OOMKilled"), (crashed.Phase, crashed.Ready, crashed.LastExitReason));
        Assert.Equal(DeploymentStatus.Degraded, (await h.GetAsync(id)).Status);

        await h.RunForAsync(10);
        var restarted = (await h.ReplicasAsync(id)).Single(r => r.Id == victim.Id);
        Assert.Equal((ReplicaPhase.Running, 1), (restarted.Phase, restarted.Restarts));
        await h.RunForAsync(10);
        Assert.Equal(DeploymentStatus.Running, (await h.GetAsync(id)).Status);
        Assert.Contains(await h.EventsAsync(id), e => e.Type == "ReplicaCrashed" && e.Reason == "OOMKilled");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Monitor_ReadinessFailsBelowThreshold_NotReadyButNotRestarted(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(2, ControllerHarness.WebSpec(health: ControllerHarness.Http(failureThreshold: 3, periodSeconds: 10)));
        await h.SettleAsync();
        var victim = (await h.ReplicasAsync(id))[0];
        var notified = new List<Guid>();
        h.Services.GetRequiredService<DeploymentChangeSignal>().Changed += notified.Add;

        h.PodOf(victim).Healthy = false;
        await h.RunForAsync(15);

        var replica = (await h.ReplicasAsync(id)).Single(r => r.Id == victim.Id);
        Assert.False(replica.Ready);
        Assert.InRange(replica.ProbeFailures, 1, 2);
        Assert.Equal((0, victim.PodId), (replica.Restarts, replica.PodId));
        Assert.Contains(id, notified);
        Assert.Equal(DeploymentStatus.Degraded, (await h.GetAsync(id)).Status);

        h.PodOf(victim).Healthy = true;
        await h.RunForAsync(10);
        replica = (await h.ReplicasAsync(id)).Single(r => r.Id == victim.Id);
        Assert.Equal((true, 0, 0), (replica.Ready, replica.ProbeFailures, replica.Restarts));
        Assert.Equal(DeploymentStatus.Running, (await h.GetAsync(id)).Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Monitor_LivenessFailsThresholdTimes_RestartsReplicaWithReason(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(1, ControllerHarness.WebSpec(health: ControllerHarness.Http(failureThreshold: 3, periodSeconds: 10)));
        await h.SettleAsync();
        var before = Assert.Single(await h.ReplicasAsync(id));
        var oldPod = h.PodOf(before);

        oldPod.Healthy = false;
        await h.RunForAsync(35);

        var after = Assert.Single(await h.ReplicasAsync(id));
        Assert.Equal(before.Id, after.Id);
        Assert.Equal(1, after.Restarts);
        Assert.NotEqual(before.PodId, after.PodId);
        Assert.Equal("liveness probe failed: HTTP 503 from /healthz", after.LastExitReason);
        Assert.DoesNotContain(h.Driver.Pods, p => p.Handle.PodId == before.PodId);
        Assert.Equal(TimeSpan.FromSeconds(3), oldPod.LastStopGrace);
        Assert.True(after.Ready);
        Assert.Contains(await h.EventsAsync(id), e => e.Type == "ReplicaRestarted" && e.Reason.StartsWith("liveness probe failed", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Monitor_RepeatedProblems_NotifiesOwnerAtMostOncePerFiveMinutes(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(1);
        await h.SettleAsync();

        // Crash, recover, crash again within five minutes: two Unhealthy spells, one notification.
        for (var round = 0; round < 3; round++)
        {
            await h.PodOf(Assert.Single(await h.ReplicasAsync(id))).ExitAsync(1);
            await h.RunForAsync(60);
            Assert.Equal(DeploymentStatus.Running, (await h.GetAsync(id)).Status);
        }

        var notifications = (await h.EventsAsync(id)).Where(e => e.Type == "Notification").Sum(e => e.Count);
        Assert.Equal(1, notifications);
        Assert.Equal(3, (await h.EventsAsync(id)).Where(e => e.Type == "StatusChanged" && e.Reason == "Unhealthy").Sum(e => e.Count));

        await h.RunForAsync(300);
        await h.PodOf(Assert.Single(await h.ReplicasAsync(id))).ExitAsync(1);
        await h.RunForAsync(2);
        Assert.Equal(2, (await h.EventsAsync(id)).Where(e => e.Type == "Notification").Sum(e => e.Count));
    }
}
