using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Deployments;

public sealed class ReplicaRunRecorderTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Controller_CrashLoop_RecordsOneRunPerPodAndNothingWhileDown(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        h.Driver.Script = _ => new FakePodScript(ExitAfter: TimeSpan.FromSeconds(5), ExitCode: 3);
        var id = await h.CreateDeploymentAsync(1);
        await h.SettleAsync();
        await h.RunForAsync(90);

        var runs = await RunsAsync(h, id);
        var replica = Assert.Single(await h.ReplicasAsync(id));
        Assert.True(runs.Count >= 3, $"{runs.Count} runs");

        // One run per pod start: each closed run ends when the controller saw the crash and the next begins at the restart,
        // after the back-off: the time between (the replica was down) is in no run.
        Assert.Equal(replica.Restarts + 1, runs.Count);
        for (var i = 1; i < runs.Count; i++)
        {
            Assert.NotNull(runs[i - 1].StoppedAt);
            Assert.True(runs[i].StartedAt - runs[i - 1].StoppedAt!.Value >= TimeSpan.FromSeconds(10), $"gap {i}: {runs[i].StartedAt - runs[i - 1].StoppedAt}");
        }

        Assert.All(runs, r => Assert.True(r.StoppedAt is null || r.StoppedAt > r.StartedAt));
        Assert.Equal(replica.Phase == ReplicaPhase.Running ? 1 : 0, runs.Count(r => r.StoppedAt is null));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Controller_ScaleDownAndDelete_ClosesRunsWhenPodsStop(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(2);
        await h.SettleAsync();
        var open = await RunsAsync(h, id);
        Assert.Equal(2, open.Count);
        Assert.All(open, r => Assert.Null(r.StoppedAt));

        h.Clock.Advance(TimeSpan.FromMinutes(10));
        await h.ChangeAsync(id, d => d.Replicas = 1, cause: "scale");
        await h.SettleAsync();
        var afterScale = await RunsAsync(h, id);
        Assert.Single(afterScale, r => r.StoppedAt is null);
        var stopped = Assert.Single(afterScale, r => r.StoppedAt is not null);
        Assert.True(stopped.StoppedAt >= stopped.StartedAt.AddMinutes(10));

        h.Clock.Advance(TimeSpan.FromMinutes(10));
        await h.ChangeAsync(id, d => { d.DeletedAt = h.Clock.GetUtcNow(); d.Status = DeploymentStatus.Deleting; }, cause: "delete");
        await h.SettleAsync();
        Assert.All(await RunsAsync(h, id), r => Assert.NotNull(r.StoppedAt));
    }

    private static async Task<List<ReplicaRun>> RunsAsync(ControllerHarness h, Guid deploymentId)
    {
        await using var scope = h.Scope();
        return await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().ReplicaRuns.AsNoTracking()
            .Where(r => r.DeploymentId == deploymentId).OrderBy(r => r.StartedAt).ToListAsync();
    }
}
