using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Alerts;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;
using Poddle.Core.Pools;
using Poddle.Core.Pools.Runtime;
using Poddle.Core.Pools.Scaling;
using Poddle.Core.Tests.Fleet;
using Poddle.Testing;

namespace Poddle.Core.Tests.Pools.Runtime;

/// <summary>
/// The pool controller's pass on a fake clock (no sleeping): the real step, services and database, the in-memory
/// sandbox driver, workers played through the real protocol. Load shapes: a burst, a trickle, cancellations, a flapping
/// load held by the scale-down window, a lost worker whose job goes back to the queue.
/// </summary>
public sealed class PoolControllerStepTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(5);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RunAsync_Burst_SpawnsUpToMaxWorkersAtOnce_AndNoMoreOnTheNextPass(DatabaseProvider provider)
    {
        await using var h = await PoolControllerStepHarness.CreateAsync(provider, new NewPool("burst", MaxWorkers: 3, Scaler: new PoolScalerInput(PoolScalerTypes.RequestCount, 1)));

        await h.SubmitAsync(10);
        await h.PassAsync();
        var afterBurst = await h.LiveAsync();
        await h.PassAsync();

        Assert.Equal(3, afterBurst.Count);
        Assert.All(afterBurst, w => Assert.Equal(WorkerStates.Initializing, w.State));
        Assert.Equal(3, h.Driver.Started.Count);
        Assert.Equal(3, (await h.LiveAsync()).Count);
        var decision = (await h.DecisionsAsync())[0];
        Assert.Equal(ScalingRules.MaxWorkers, decision.Rule);
        Assert.Contains("spawn 3", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Trickle_OneWorkerServesEveryJob_ThenScalesToZeroAfterIdleTimeout()
    {
        await using var h = await PoolControllerStepHarness.CreateAsync(DatabaseProvider.Sqlite, new NewPool("trickle", MaxWorkers: 3, IdleTimeout: 5, ScaleDownWindow: 0));

        for (var i = 0; i < 5; i++)
        {
            var job = (await h.SubmitAsync(1))[0];
            await h.PassAsync();
            var worker = Assert.Single(await h.LiveAsync());
            Assert.Equal(job, (await h.TakeAsync(worker.WorkerId))?.Id);
            await h.PassAsync();
            Assert.Equal(WorkerStates.Running, (await h.WorkerAsync(worker.WorkerId)).State);
            await h.FinishAsync(worker.WorkerId, job);
            await h.PassAsync();
            Assert.Equal(WorkerStates.Idle, (await h.WorkerAsync(worker.WorkerId)).State);
            await h.AdvanceAsync(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
        }

        Assert.Single(h.Driver.Started);
        Assert.Single(await h.LiveAsync());
        await h.AdvanceAsync(TimeSpan.FromSeconds(5), Tick);
        Assert.Empty(await h.LiveAsync());
        Assert.Single(h.Driver.Started);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RunAsync_JobsCancelledBeforeTheirWorkersStart_NoMoreSpawn_AndTheWorkersGoOnceIdle(DatabaseProvider provider)
    {
        await using var h = await PoolControllerStepHarness.CreateAsync(provider, new NewPool("cancels", MaxWorkers: 3, IdleTimeout: 5, ScaleDownWindow: 0, Scaler: new PoolScalerInput(PoolScalerTypes.RequestCount, 1)));

        var jobs = await h.SubmitAsync(3);
        await h.PassAsync();
        foreach (var job in jobs)
        {
            Assert.Equal(PoolJobStatuses.Cancelled, (await h.CancelAsync(job)).Value.Status);
        }

        await h.PassAsync();
        var workers = await h.LiveAsync();
        Assert.Equal(3, workers.Count);
        foreach (var worker in workers)
        {
            Assert.Null(await h.TakeAsync(worker.WorkerId));
        }

        await h.PassAsync();
        Assert.All(await h.LiveAsync(), w => Assert.Equal(WorkerStates.Idle, w.State));
        await h.AdvanceAsync(TimeSpan.FromSeconds(5), Tick);

        Assert.Empty(await h.LiveAsync());
        Assert.Equal(3, h.Driver.Started.Count);
        Assert.All(workers, w => Assert.Equal(WorkerStates.Terminated, h.WorkerAsync(w.WorkerId).Result.State));
    }

    [Fact]
    public async Task RunAsync_FlappingLoad_TheScaleDownWindowKeepsTheWorkers_ThenTheyGoWhenTheLoadStops()
    {
        await using var h = await PoolControllerStepHarness.CreateAsync(DatabaseProvider.Sqlite, new NewPool("flap", MaxWorkers: 3, IdleTimeout: 1, ScaleDownWindow: 60, Scaler: new PoolScalerInput(PoolScalerTypes.RequestCount, 1)));

        // Two jobs every 10 s for a minute: between the bursts the queue is empty and the workers idle past their idle
        // timeout, so without the window each lull would stop them and each burst start them again.
        for (var burst = 0; burst < 6; burst++)
        {
            var jobs = await h.SubmitAsync(2);
            await h.PassAsync();
            var workers = await h.LiveAsync();
            Assert.Equal(2, workers.Count);
            for (var i = 0; i < 2; i++)
            {
                var taken = await h.TakeAsync(workers[i].WorkerId);
                Assert.NotNull(taken);
                await h.FinishAsync(workers[i].WorkerId, taken.Id);
            }

            Assert.All(jobs, j => Assert.Equal(PoolJobStatuses.Completed, h.JobAsync(j).Result.Status));
            await h.AdvanceAsync(TimeSpan.FromSeconds(10), Tick);
            Assert.Equal(2, (await h.LiveAsync()).Count);
        }

        Assert.Equal(2, h.Driver.Started.Count);
        Assert.Contains(await h.DecisionsAsync(), d => d.Rule == ScalingRules.ScaleDownWindow);

        await h.AdvanceAsync(TimeSpan.FromSeconds(65), Tick);
        Assert.Empty(await h.LiveAsync());
        Assert.Equal(2, h.Driver.Started.Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RunAsync_WorkerSilentForThreePings_IsReplaced_AndItsJobRequeuedAsRetried_CompletesOnce(DatabaseProvider provider)
    {
        await using var h = await PoolControllerStepHarness.CreateAsync(provider, new NewPool("lost", MaxWorkers: 1, MaxRetries: 1, Scaler: new PoolScalerInput(PoolScalerTypes.RequestCount, 1)));

        var job = (await h.SubmitAsync(1))[0];
        await h.PassAsync();
        var lost = Assert.Single(await h.LiveAsync()).WorkerId;
        Assert.Equal(job, (await h.TakeAsync(lost))?.Id);
        await h.PassAsync();
        Assert.Equal(WorkerStates.Running, (await h.WorkerAsync(lost)).State);

        // No ping for three intervals (10 s each by default): lost.
        await h.AdvanceAsync(TimeSpan.FromSeconds(30), Tick, pinging: false);

        var failed = await h.WorkerAsync(lost);
        Assert.Equal((WorkerStates.Failed, WorkerTransitionReasons.Silent), (failed.State, failed.Reason));
        var requeued = await h.JobAsync(job);
        Assert.Equal((PoolJobStatuses.InQueue, 1), (requeued.Status, requeued.Retries));
        var replacement = Assert.Single(await h.LiveAsync()).WorkerId;
        Assert.NotEqual(lost, replacement);
        Assert.Equal(job, (await h.TakeAsync(replacement))?.Id);
        await h.FinishAsync(replacement, job);
        var done = await h.JobAsync(job);
        Assert.Equal((PoolJobStatuses.Completed, replacement, 1), (done.Status, done.WorkerId, done.Retries));
        Assert.Equal(2, h.Driver.Started.Count);
    }

    [Fact]
    public async Task RunAsync_SpendAtTheBudget_NoMoreWorkersByBudgetReached_AlertRaisedOnceThenResolvedUnderIt()
    {
        await using var h = await PoolControllerStepHarness.CreateAsync(DatabaseProvider.Sqlite, new NewPool("budget", MaxWorkers: 3, Scaler: new PoolScalerInput(PoolScalerTypes.RequestCount, 1), BudgetPerHour: 1.00m));
        var costs = h.Pools.Services.GetRequiredService<PodCosts>();
        var alerts = (RecordingAlertNotifier)h.Pools.Services.GetRequiredService<IAlertNotifier>();
        await h.SubmitAsync(1);
        await h.PassAsync();
        var first = Assert.Single(await h.LiveAsync());

        // The provider says the first worker's pod costs more than the pool's budget.
        costs.Set(h.Driver.Name, first.PodId!, 1.20m);
        await h.SubmitAsync(2);
        await h.PassAsync();
        await h.PassAsync();

        Assert.Single(await h.LiveAsync());
        Assert.Equal(ScalingRules.BudgetReached, (await h.DecisionsAsync())[^1].Rule);
        var alert = Assert.Single(alerts.Raised);
        Assert.Equal((PoolControllerStep.BudgetAlertKey(h.Pool), AlertLevel.Warning, (Guid?)h.Owner), (alert.Key, alert.Level, alert.OwnerId));
        Assert.Equal("Pool budget reached its budget of $1.00/hr", alert.Title);
        Assert.DoesNotContain(PoolControllerStep.BudgetAlertKey(h.Pool), alerts.Resolved); // (each start resolves spawn-failed)

        // Cheaper now: room for one more 0.40/hr worker under 1.00/hr (not two), and the alert ends.
        costs.Set(h.Driver.Name, first.PodId!, 0.40m);
        await h.PassAsync();

        Assert.Equal(2, (await h.LiveAsync()).Count);
        Assert.Single(alerts.Resolved, PoolControllerStep.BudgetAlertKey(h.Pool));
        Assert.Single(alerts.Raised);
    }
}
