using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Testing;

namespace Poddle.Core.Tests.Deployments;

public sealed class DeploymentConvergeHandlerTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Converge_NewDeployment_RunningWithEveryReplicaReady(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(3, ControllerHarness.WebSpec(health: ControllerHarness.Http()), new Dictionary<string, string> { ["API_KEY"] = "s3cr3t-value" });

        await h.SettleAsync();

        var deployment = await h.GetAsync(id);
        Assert.Equal(DeploymentStatus.Running, deployment.Status);
        Assert.Equal("3/3 replicas ready", deployment.StatusReason);
        Assert.Equal((1, 1L), (deployment.StableRevision!.Value, deployment.ObservedGeneration));
        var replicas = await h.ReplicasAsync(id);
        Assert.Equal(3, replicas.Count);
        Assert.All(replicas, r => Assert.True(r.Ready && r.Phase == ReplicaPhase.Running && r.EndpointPort is not null));
        Assert.Equal(3, h.Driver.Running.Count);
        Assert.Equal("ready", (await h.RevisionsAsync(id)).Single().Outcome);

        var installation = await h.Services.GetRequiredService<ControllerStore>().GetInstallationIdAsync(CancellationToken.None);
        foreach (var replica in replicas)
        {
            var pod = h.PodOf(replica);
            Assert.Equal(installation, pod.Spec.Labels[PodLabels.Owner]);
            Assert.Equal("deployment", pod.Spec.Labels[PodLabels.Kind]);
            Assert.Equal(id.ToString("N"), pod.Spec.Labels[PodLabels.Id]);
            Assert.Equal(replica.Id.ToString("N"), pod.Spec.Labels[PodLabels.Replica]);
            Assert.Equal("1", pod.Spec.Labels[PodLabels.Revision]);
            Assert.Equal("s3cr3t-value", pod.Spec.Env["API_KEY"]);
            Assert.Equal("8080", pod.Spec.Env["PORT"]);
            Assert.Equal("test", pod.Spec.Env["MODE"]);
            Assert.Equal(new PodResources(250, 128), pod.Spec.Resources);
        }

        var events = await h.EventsAsync(id);
        Assert.Contains(events, e => e.Type == "StatusChanged" && e.Reason == "Provisioning");
        Assert.Contains(events, e => e.Type == "StatusChanged" && e.Reason == "Running");
        Assert.DoesNotContain(events, e => e.Message.Contains("s3cr3t", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Converge_RollingUpdate_AlwaysHasEveryDesiredReplicaReady(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(2);
        await h.SettleAsync();
        var oldPods = h.Driver.Running.Select(p => p.Handle.PodId).ToList();

        await h.ChangeAsync(id, _ => { }, ControllerHarness.WebSpec("web:2"));
        var minimumReady = int.MaxValue;
        var sawSurge = false;
        await h.SettleAsync(afterEachStep: async () =>
        {
            var replicas = await h.ReplicasAsync(id);
            var ready = replicas.Where(r => r.Ready).ToList();

            // A replica the proxy may route to must have a running pod behind it.
            Assert.All(ready, r => Assert.Equal(PodState.Running, h.PodOf(r).State));
            minimumReady = Math.Min(minimumReady, ready.Count);
            sawSurge |= replicas.Count == 3;
        });

        Assert.Equal(2, minimumReady);
        Assert.True(sawSurge);
        var deployment = await h.GetAsync(id);
        Assert.Equal((DeploymentStatus.Running, 2, 2), (deployment.Status, deployment.CurrentRevision, deployment.StableRevision!.Value));
        var now = await h.ReplicasAsync(id);
        Assert.All(now, r => Assert.Equal((2, true), (r.Revision, r.Ready)));
        Assert.Equal(2, h.Driver.Pods.Count);
        Assert.All(h.Driver.Pods, p => Assert.Equal("web:2", p.Spec.Image));
        Assert.DoesNotContain(h.Driver.Pods, p => oldPods.Contains(p.Handle.PodId));
        Assert.Equal(["ready", "ready"], (await h.RevisionsAsync(id)).Select(r => r.Outcome));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Converge_NewRevisionNeverReady_RollsBackAutomaticallyWithoutTouchingOldReplicas(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        h.Driver.Script = spec => spec.Image == "web:bad" ? new FakePodScript(Healthy: false) : FakePodScript.Healthy200;
        var id = await h.CreateDeploymentAsync(2, ControllerHarness.WebSpec(health: ControllerHarness.Http()));
        await h.SettleAsync();
        var oldPods = h.Driver.Running.ToList();
        var oldReplicas = (await h.ReplicasAsync(id)).Select(r => r.Id).ToHashSet();

        await h.ChangeAsync(id, _ => { }, ControllerHarness.WebSpec("web:bad", ControllerHarness.Http()));
        await h.SettleAsync(afterEachStep: async () =>
        {
            Assert.All(oldPods, p => Assert.Equal(PodState.Running, p.State));
            var ready = (await h.ReplicasAsync(id)).Where(r => r.Ready).Select(r => r.Id).ToHashSet();
            Assert.True(oldReplicas.SetEquals(ready), "the old replicas keep serving throughout");
        });

        var deployment = await h.GetAsync(id);
        Assert.Equal((DeploymentStatus.Running, 3, 3), (deployment.Status, deployment.CurrentRevision, deployment.StableRevision!.Value));
        var revisions = await h.RevisionsAsync(id);
        Assert.StartsWith("failed: revision 2 not ready within", revisions[1].Outcome, StringComparison.Ordinal);
        Assert.Equal("automatic rollback to 1", revisions[2].Cause);
        Assert.Equal(revisions[0].SpecJson, revisions[2].SpecJson);
        Assert.True(oldReplicas.SetEquals((await h.ReplicasAsync(id)).Select(r => r.Id)));
        Assert.DoesNotContain(h.Driver.Pods, p => p.Spec.Image == "web:bad");
        Assert.Equal(oldPods.Select(p => p.Handle.PodId).Order(), h.Driver.Pods.Select(p => p.Handle.PodId).Order());
        var rolledBack = Assert.Single(await h.EventsAsync(id), e => e.Type == "RolledBack");
        Assert.Equal((DeploymentEventRecorder.Warning, "automatic rollback to 1"), (rolledBack.Severity, rolledBack.Reason));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Converge_SecondChangeWhileTheFirstRollsOut_SupersedesItAndConvergesToTheLatest(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(1, ControllerHarness.WebSpec(health: ControllerHarness.Http()));
        await h.SettleAsync();
        var first = Assert.Single(await h.ReplicasAsync(id));

        // PATCH env A=1, one step runs (it starts revision 2's replica), then at once PATCH env A=2.
        await h.ChangeAsync(id, _ => { }, ControllerHarness.WebSpec(health: ControllerHarness.Http(), env: new Dictionary<string, string> { ["A"] = "1" }));
        Assert.True(await h.Services.GetRequiredService<Poddle.Core.Jobs.JobProcessor>().RunNextAsync(CancellationToken.None));
        Assert.Contains(await h.ReplicasAsync(id), r => r.Revision == 2 && !r.Ready);
        await h.ChangeAsync(id, _ => { }, ControllerHarness.WebSpec(health: ControllerHarness.Http(), env: new Dictionary<string, string> { ["A"] = "2" }));

        var minimumReady = int.MaxValue;
        var maximumReplicas = 0;
        var seconds = await h.SettleAsync(afterEachStep: async () =>
        {
            var replicas = await h.ReplicasAsync(id);
            minimumReady = Math.Min(minimumReady, replicas.Count(r => r.Ready));
            maximumReplicas = Math.Max(maximumReplicas, replicas.Count);
        });

        Assert.True(seconds < ControllerHarness.ProgressDeadline.TotalSeconds, $"settled after {seconds} s, not before the progress deadline");
        var deployment = await h.GetAsync(id);
        Assert.Equal((DeploymentStatus.Running, 3, 3), (deployment.Status, deployment.CurrentRevision, deployment.StableRevision!.Value));
        var replica = Assert.Single(await h.ReplicasAsync(id));
        Assert.Equal((3, true), (replica.Revision, replica.Ready));
        Assert.NotEqual(first.Id, replica.Id);
        Assert.Equal("2", Assert.Single(h.Driver.Pods).Spec.Env["A"]);
        Assert.Equal(1, minimumReady);
        Assert.Equal(2, maximumReplicas);
        var revisions = await h.RevisionsAsync(id);
        Assert.Equal(["ready", "superseded by revision 3", "ready"], revisions.Select(r => r.Outcome));
        var events = await h.EventsAsync(id);
        Assert.DoesNotContain(events, e => e.Type is "RolledBack" or "ProgressDeadlineExceeded");
        Assert.Contains(events, e => e.Type == "RolloutSuperseded" && e.Message.Contains("revision 2", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Converge_NewRevisionWhenThePreviousIsHalfRolledOut_KeepsEveryDesiredReplicaReadyAndConverges(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(2);
        await h.SettleAsync();
        var processor = h.Services.GetRequiredService<Poddle.Core.Jobs.JobProcessor>();

        // Revision 2 rolls out until one of its replicas serves and another is starting; then revision 3 arrives.
        await h.ChangeAsync(id, _ => { }, ControllerHarness.WebSpec("web:2"));
        for (var second = 0; second < 10 && !(await h.ReplicasAsync(id)).Any(r => r.Revision == 2 && r.Ready); second++)
        {
            while (await processor.RunNextAsync(CancellationToken.None))
            {
            }

            h.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var midway = await h.ReplicasAsync(id);
        Assert.Contains(midway, r => r.Revision == 1 && r.Ready);
        Assert.Contains(midway, r => r.Revision == 2 && r.Ready);
        await h.ChangeAsync(id, _ => { }, ControllerHarness.WebSpec("web:3"));

        var minimumReady = int.MaxValue;
        var maximumReplicas = 0;
        await h.SettleAsync(afterEachStep: async () =>
        {
            var replicas = await h.ReplicasAsync(id);
            minimumReady = Math.Min(minimumReady, replicas.Count(r => r.Ready));
            maximumReplicas = Math.Max(maximumReplicas, replicas.Count);
        });

        var deployment = await h.GetAsync(id);
        Assert.Equal((DeploymentStatus.Running, 3, 3), (deployment.Status, deployment.CurrentRevision, deployment.StableRevision!.Value));
        Assert.All(await h.ReplicasAsync(id), r => Assert.Equal((3, true), (r.Revision, r.Ready)));
        Assert.Equal(2, h.Driver.Pods.Count);
        Assert.All(h.Driver.Pods, p => Assert.Equal("web:3", p.Spec.Image));
        Assert.True(minimumReady >= 2, $"ready replicas dropped to {minimumReady}");
        Assert.True(maximumReplicas <= 3, $"{maximumReplicas} replicas at once for 2 desired");
        Assert.Equal("superseded by revision 3", (await h.RevisionsAsync(id))[1].Outcome);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Converge_ScaleUpThenDown_StopsNewestFirst(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(1);
        await h.SettleAsync();
        var first = Assert.Single(await h.ReplicasAsync(id));

        await h.ChangeAsync(id, d => d.Replicas = 3, cause: "scale");
        await h.SettleAsync();
        Assert.Equal(3, (await h.ReplicasAsync(id)).Count(r => r.Ready));
        Assert.Equal(3, h.Driver.Running.Count);

        await h.ChangeAsync(id, d => d.Replicas = 1, cause: "scale");
        await h.SettleAsync();
        var left = Assert.Single(await h.ReplicasAsync(id));
        Assert.Equal(first.Id, left.Id);
        Assert.Equal(first.PodId, Assert.Single(h.Driver.Pods).Handle.PodId);
        Assert.Equal(DeploymentStatus.Running, (await h.GetAsync(id)).Status);

        await h.ChangeAsync(id, d => d.Replicas = 0, cause: "scale");
        await h.SettleAsync();
        Assert.Equal(DeploymentStatus.Stopped, (await h.GetAsync(id)).Status);
        Assert.Empty(h.Driver.Pods);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Converge_Delete_LeavesNoPod(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(2);
        await h.SettleAsync();

        await h.ChangeAsync(id, d => d.Status = DeploymentStatus.Deleting, cause: "delete");
        await h.SettleAsync();

        var deployment = await h.GetAsync(id);
        Assert.Equal(DeploymentStatus.Deleted, deployment.Status);
        Assert.NotNull(deployment.DeletedAt);
        Assert.Empty(h.Driver.Pods);
        Assert.Equal(2, h.Driver.Destroys);
        Assert.All(await h.ReplicasAsync(id, includeStopped: true), r => Assert.Equal(ReplicaPhase.Stopped, r.Phase));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Converge_ImageNotFound_FailsWithReasonAndLeavesNoPod(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var starts = 0;
        h.Driver.Script = _ => Interlocked.Increment(ref starts) == 1
            ? FakePodScript.Healthy200
            : new FakePodScript(StartFails: PodFailureKind.ImageNotFound, FailureMessage: "registry.example/web:404");
        var id = await h.CreateDeploymentAsync(2);

        await h.SettleAsync();

        var deployment = await h.GetAsync(id);
        Assert.Equal(DeploymentStatus.Failed, deployment.Status);
        Assert.Equal("image not found: registry.example/web:404", deployment.StatusReason);
        Assert.Empty(h.Driver.Pods);
        Assert.Equal(1, h.Driver.Destroys);
        Assert.StartsWith("failed: image not found", (await h.RevisionsAsync(id)).Single().Outcome, StringComparison.Ordinal);
        Assert.Contains(await h.EventsAsync(id), e => e.Type == "StartFailed" && e.Reason == "ImageNotFound");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Converge_DriverDownThenBack_RetriedThroughTheQueue(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        h.Driver.Health = new DriverHealth(false, "fake: engine unreachable");
        var id = await h.CreateDeploymentAsync(1);

        await h.SettleAsync(maxSeconds: 1);
        Assert.Equal(DeploymentStatus.Provisioning, (await h.GetAsync(id)).Status);
        Assert.Contains(await h.EventsAsync(id), e => e.Type == "StartFailed" && e.Message == "driver down: fake: engine unreachable");
        Assert.Empty(h.Driver.Pods);

        h.Driver.Health = new DriverHealth(true, "fake: ok");
        await h.SettleAsync();
        Assert.Equal(DeploymentStatus.Running, (await h.GetAsync(id)).Status);
        Assert.Single(h.Driver.Running);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Converge_SameJobTwice_DoesNotDuplicatePods(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(2);
        await h.SettleAsync();

        // A late or repeated job of the same generation (at-least-once delivery) changes nothing.
        await using (var scope = h.Scope())
        {
            var queue = scope.ServiceProvider.GetRequiredService<Poddle.Core.Jobs.JobQueue>();
            await queue.EnqueueAndSaveAsync(DeploymentJobs.Converge, $$"""{"deploymentId":"{{id}}","generation":1,"cause":"repeat"}""");
            await queue.EnqueueAndSaveAsync(DeploymentJobs.Converge, $$"""{"deploymentId":"{{id}}","generation":1,"cause":"repeat"}""");
        }

        await h.SettleAsync();
        Assert.Equal(2, h.Driver.Starts);
        Assert.Equal(2, (await h.ReplicasAsync(id)).Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Converge_RestartRequest_ReplacesEveryPodOneAtATime(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(2);
        await h.SettleAsync();
        var before = (await h.ReplicasAsync(id)).Select(r => r.Id).ToHashSet();
        h.Clock.Advance(TimeSpan.FromSeconds(1));

        await h.ChangeAsync(id, d => d.RestartRequestedAt = h.Clock.GetUtcNow(), cause: "restart");
        var minimumReady = int.MaxValue;
        await h.SettleAsync(afterEachStep: async () => minimumReady = Math.Min(minimumReady, (await h.ReplicasAsync(id)).Count(r => r.Ready)));

        Assert.Equal(2, minimumReady);
        var after = await h.ReplicasAsync(id);
        Assert.Equal(2, after.Count);
        Assert.DoesNotContain(after, r => before.Contains(r.Id));
        Assert.Equal(4, h.Driver.Starts);
        Assert.Equal(2, h.Driver.Running.Count);
        Assert.Equal((DeploymentStatus.Running, 1), ((await h.GetAsync(id)).Status, (await h.GetAsync(id)).CurrentRevision));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Converge_RunningAlongsideMonitorAndReconciler_NeverDuplicatesPods(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(3, ControllerHarness.WebSpec(health: ControllerHarness.Http(periodSeconds: 1)));
        var processor = h.Services.GetRequiredService<Poddle.Core.Jobs.JobProcessor>();

        for (var second = 0; second < 20; second++)
        {
            await Task.WhenAll(
                processor.RunNextAsync(CancellationToken.None),
                h.Monitor.RunOnceAsync(CancellationToken.None),
                h.Reconciler.RunOnceAsync(CancellationToken.None),
                h.Monitor.RunOnceAsync(CancellationToken.None));
            h.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        await h.SettleAsync();
        Assert.Equal(3, h.Driver.Starts);
        Assert.Equal(3, h.Driver.Running.Count);
        Assert.Equal(DeploymentStatus.Running, (await h.GetAsync(id)).Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Converge_StepDiedAfterStartingAPod_AdoptsThatPodInsteadOfStartingAnother(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(1);
        await h.SettleAsync();
        var starts = h.Driver.Starts;

        // A scale-up step saved its replica row and started the pod, then the server died before saving the handle.
        Guid replicaId;
        await using (var scope = h.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
            var pods = scope.ServiceProvider.GetRequiredService<ReplicaPods>();
            var deployment = await db.Deployments.SingleAsync(d => d.Id == id);
            var row = pods.NewReplica(deployment, 1);
            db.Replicas.Add(row);
            deployment.Replicas = 2;
            deployment.Generation++;
            await scope.ServiceProvider.GetRequiredService<Poddle.Core.Jobs.JobQueue>().EnqueueConvergeAsync(deployment, "scale", CancellationToken.None);
            await db.SaveChangesAsync();
            replicaId = row.Id;
            await h.Driver.AddExternalPodAsync(await pods.LabelsAsync(id, row.Id, 1, CancellationToken.None), port: 8080);
        }

        var leftover = h.Driver.Pods.Single(p => p.ReplicaLabel == replicaId.ToString("N"));
        await h.SettleAsync();

        Assert.Equal(starts, h.Driver.Starts);
        var adopted = (await h.ReplicasAsync(id)).Single(r => r.Id == replicaId);
        Assert.Equal((leftover.Handle.PodId, true), (adopted.PodId, adopted.Ready));
        Assert.Equal(2, h.Driver.Running.Count);
        Assert.Equal(DeploymentStatus.Running, (await h.GetAsync(id)).Status);
    }
}
