using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Common;
using Poddle.Core.Persistence;
using Poddle.Core.Pools;
using Poddle.Core.Pools.Runtime;
using Poddle.Core.Pools.Scaling;
using Poddle.Testing;

namespace Poddle.Core.Tests.Pools.Runtime;

public sealed class PoolWorkerRecorderTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Move_AllowedMovesStoredAsEvents_RefusedMoveChangesNothing_HealthCountsTheStates(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");
        var pool = await harness.CreateCommandPoolAsync(alice);

        var (refused, workerId) = await harness.WithAsync<(Result<WorkerTransition> Refused, string WorkerId), IServiceProvider>(async services =>
        {
            var recorder = services.GetRequiredService<PoolWorkerRecorder>();
            var worker = recorder.Spawning(pool, "sandbox");
            Assert.True(recorder.Move(worker, WorkerState.Initializing, WorkerTransitionReasons.PodStarted).IsSuccess);
            Assert.True(recorder.Move(worker, WorkerState.Running, WorkerTransitionReasons.FirstPoll).IsSuccess);
            var refused = recorder.Move(worker, WorkerState.Spawning, WorkerTransitionReasons.PodStarted);
            var idle = recorder.Spawning(pool, "sandbox");
            recorder.Move(idle, WorkerState.Initializing, WorkerTransitionReasons.PodStarted);
            recorder.Move(idle, WorkerState.Idle, WorkerTransitionReasons.FirstPoll);
            await services.GetRequiredService<PoddleDbContext>().SaveChangesAsync();
            return (refused, worker.WorkerId);
        });
        var health = (await harness.WithAsync<Result<PoolHealth>, PoolJobService>(s => s.HealthAsync(alice, pool, CancellationToken.None))).Value;
        await using var db = harness.Database.CreateContext();
        var stored = await db.Set<PoolWorker>().SingleAsync(w => w.WorkerId == workerId);
        var events = (await db.Set<PoolEvent>().Where(e => e.WorkerId == workerId).ToListAsync()).Select(e => (e.Reason, e.Message)).Order().ToList();

        Assert.Equal(WorkerErrorCodes.InvalidTransition, refused.Error!.Code);
        Assert.Equal((WorkerStates.Running, WorkerTransitionReasons.FirstPoll), (stored.State, stored.Reason));
        // One event per allowed move (the fake clock gives them one time, so they are compared as a set), none for the refused one.
        Assert.Equal(new[] { ("spawned", "→ spawning"), (WorkerTransitionReasons.PodStarted, "spawning → initializing"), (WorkerTransitionReasons.FirstPoll, "initializing → running") }.Order(), events);
        Assert.Equal(new PoolWorkerCounts(1, 0, 1, 1, 0), health.Workers);
    }
}
