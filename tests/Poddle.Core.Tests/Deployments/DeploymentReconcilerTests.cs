using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Testing;

namespace Poddle.Core.Tests.Deployments;

public sealed class DeploymentReconcilerTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Reconciler_ServerRestart_ReadoptsRunningReplicasWithoutRestartOrDuplicate(DatabaseProvider provider)
    {
        var first = await ControllerHarness.CreateAsync(provider);
        var id = await first.CreateDeploymentAsync(2, ControllerHarness.WebSpec(health: ControllerHarness.Http()));
        await first.SettleAsync();
        var pods = first.Driver.Running.Select(p => p.Handle.PodId).Order().ToList();
        var starts = first.Driver.Starts;
        var installation = await first.Services.GetRequiredService<ControllerStore>().GetInstallationIdAsync(CancellationToken.None);

        // As after kill -9: a new process (new services, same database and engine) whose driver is not attached to any pod.
        await using var second = await first.RestartAsync();
        await second.RunForAsync(60);

        Assert.Equal(starts, second.Driver.Starts);
        Assert.Equal(0, second.Driver.Destroys);
        Assert.True(second.Driver.Recovers >= 2);
        Assert.Equal(pods, second.Driver.Running.Select(p => p.Handle.PodId).Order());
        Assert.All(await second.ReplicasAsync(id), r => Assert.Equal((true, 0), (r.Ready, r.Restarts)));
        Assert.Equal(DeploymentStatus.Running, (await second.GetAsync(id)).Status);
        Assert.Equal(installation, await second.Services.GetRequiredService<ControllerStore>().GetInstallationIdAsync(CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Reconciler_OrphanPod_LeftToTheFleetWhichReportsThenDestroysAfterGrace(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(1);
        await h.SettleAsync();
        var installation = await h.Services.GetRequiredService<ControllerStore>().GetInstallationIdAsync(CancellationToken.None);
        var orphan = await h.Driver.AddExternalPodAsync(new Dictionary<string, string>
        {
            [PodLabels.Owner] = installation,
            [PodLabels.Kind] = "deployment",
            [PodLabels.Id] = id.ToString("N"),
            [PodLabels.Replica] = Guid.NewGuid().ToString("N"),
        });
        var foreign = await h.Driver.AddExternalPodAsync(new Dictionary<string, string>
        {
            [PodLabels.Owner] = "another-installation",
            [PodLabels.Kind] = "deployment",
            [PodLabels.Id] = id.ToString("N"),
        });

        await h.Reconciler.RunOnceAsync(CancellationToken.None);
        await h.Fleet.RunOnceAsync(CancellationToken.None);
        Assert.Contains(h.Driver.Pods, p => p.Handle.PodId == orphan.Handle.PodId);
        Assert.Contains(await h.EventsAsync(id), e => e.Type == "OrphanFound" && e.Message.Contains(orphan.Handle.PodId, StringComparison.Ordinal));

        h.Clock.Advance(ControllerHarness.OrphanGrace - TimeSpan.FromSeconds(1));
        await h.Reconciler.RunOnceAsync(CancellationToken.None);
        await h.Fleet.RunOnceAsync(CancellationToken.None);
        Assert.Contains(h.Driver.Pods, p => p.Handle.PodId == orphan.Handle.PodId);

        h.Clock.Advance(TimeSpan.FromSeconds(2));
        await h.Reconciler.RunOnceAsync(CancellationToken.None);
        Assert.Contains(h.Driver.Pods, p => p.Handle.PodId == orphan.Handle.PodId);
        await h.Fleet.RunOnceAsync(CancellationToken.None);
        Assert.DoesNotContain(h.Driver.Pods, p => p.Handle.PodId == orphan.Handle.PodId);
        Assert.Contains(h.Driver.Pods, p => p.Handle.PodId == foreign.Handle.PodId);
        Assert.Equal(PodState.Running, Assert.Single(await h.ReplicasAsync(id)) is { } r ? h.PodOf(r).State : PodState.NotFound);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Reconciler_PodRemovedBehindPoddlesBack_RecreatedWithDriftEvent(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(1);
        await h.SettleAsync();
        var before = Assert.Single(await h.ReplicasAsync(id));
        await h.Driver.DestroyAsync(h.PodOf(before).Handle, CancellationToken.None);

        await h.Reconciler.RunOnceAsync(CancellationToken.None);

        var after = Assert.Single(await h.ReplicasAsync(id));
        Assert.Equal(before.Id, after.Id);
        Assert.NotEqual(before.PodId, after.PodId);
        Assert.Equal(PodState.Running, h.PodOf(after).State);
        Assert.Equal("pod disappeared", after.LastExitReason);
        Assert.Contains(await h.EventsAsync(id), e => e.Type == "Drift" && e.Reason == "pod missing");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Reconciler_StuckWhileDriverDown_FailedWithDiagnosis(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(1);

        // The converge job never ran (no worker took it); the engine is down.
        h.Driver.Health = new DriverHealth(false, "fake: engine unreachable");
        h.Clock.Advance(TimeSpan.FromMinutes(9));
        await h.Reconciler.RunOnceAsync(CancellationToken.None);
        Assert.Equal(DeploymentStatus.Pending, (await h.GetAsync(id)).Status);

        h.Clock.Advance(TimeSpan.FromMinutes(2));
        await h.Reconciler.RunOnceAsync(CancellationToken.None);

        var deployment = await h.GetAsync(id);
        Assert.Equal(DeploymentStatus.Failed, deployment.Status);
        Assert.Equal("driver down: fake: engine unreachable", deployment.StatusReason);
        Assert.Contains(await h.EventsAsync(id), e => e.Type == "Notification");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Reconciler_StuckWithHealthyDriver_RetriedAndThenRuns(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(1);
        await using (var scope = h.Scope())
        {
            // The job was lost (say, dead after a crash loop of the worker).
            var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
            db.RemoveRange(db.Set<Poddle.Core.Jobs.Job>());
            await db.SaveChangesAsync();
        }

        h.Clock.Advance(TimeSpan.FromMinutes(11));
        await h.Reconciler.RunOnceAsync(CancellationToken.None);
        Assert.Contains(await h.EventsAsync(id), e => e.Type == "StuckRetried");

        await h.SettleAsync();
        Assert.Equal(DeploymentStatus.Running, (await h.GetAsync(id)).Status);
    }
}
