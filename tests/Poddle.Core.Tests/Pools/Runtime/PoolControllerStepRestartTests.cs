using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Agents;
using Poddle.Core.Common;
using Poddle.Core.Persistence;
using Poddle.Core.Pools;
using Poddle.Core.Pools.Runtime;
using Poddle.Core.Pools.Scaling;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Testing;

namespace Poddle.Core.Tests.Pools.Runtime;

/// <summary><see cref="PoolControllerStep"/> on a fake clock with the in-memory "sandbox" driver and the real database.</summary>
public sealed class PoolControllerStepRestartTests
{
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A server killed while a worker holds a job, started again three minutes later (past the start timeout, within
    /// the job's execution timeout): the worker could not ping while no server listened, so its silence counts from when
    /// the restarted server took control, not from its last ping (it keeps its job and is not replaced); silent for three
    /// ping intervals after that, it is lost as before.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RunAsync_WorkerSilentOnlyWhileNoServerRan_KeepsItsJob_SilentAfterTheRestart_IsLost(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider, o => o.PingInterval = PingInterval);
        harness.Services.GetRequiredService<AgentServerAddress>().SetListenAddresses(["http://127.0.0.1:8080"]);
        var alice = await harness.CreateUserAsync("alice");
        var pool = await harness.CreateCommandPoolAsync(alice);
        var submitted = await harness.WithAsync<Result<PoolJob>, PoolJobService>(s => s.SubmitAsync(alice, pool, new PoolJobSubmission("{\"n\":1}"), CancellationToken.None));
        var jobId = submitted.Value.Id;
        var recovered = new HashSet<string>(StringComparer.Ordinal);
        var firstServer = harness.Clock.GetUtcNow();

        // The first server spawns a worker for the job; the worker takes it (a request: heard from now).
        await StepAsync(harness, pool, recovered, firstServer);
        var sandbox = harness.Services.GetServices<IPodDriver>().OfType<NamedTestPodDriver>().Single(d => d.Name == "sandbox");
        var key = await harness.WithAsync<PoolWorkerKey?, PoolWorkerProtocol>(p => p.AuthenticateAsync(Assert.Single(sandbox.Started).Env[PoolWorkerEnvironment.ApiKey], CancellationToken.None));
        var taken = await harness.WithAsync<IReadOnlyList<PoolJob>, PoolWorkerProtocol>(p => p.TakeAsync(key!, 1, TimeSpan.Zero, CancellationToken.None));
        Assert.Equal(jobId, Assert.Single(taken).Id);
        await harness.WithAsync<bool, PoolWorkerProtocol>(async p =>
        {
            await p.PingAsync(key!, CancellationToken.None);
            return true;
        });
        await StepAsync(harness, pool, recovered, firstServer);
        Assert.Equal(WorkerStates.Running, (await WorkerAsync(harness, key!.WorkerId)).State);

        // Killed; three minutes later a server starts and takes control: the worker is not lost for the silence before.
        harness.Clock.Advance(TimeSpan.FromMinutes(3));
        var restarted = harness.Clock.GetUtcNow();
        var recoveredAfterRestart = new HashSet<string>(StringComparer.Ordinal);
        await StepAsync(harness, pool, recoveredAfterRestart, restarted);
        Assert.Equal(WorkerStates.Running, (await WorkerAsync(harness, key.WorkerId)).State);
        var held = await JobAsync(harness, jobId);
        Assert.Equal((PoolJobStatuses.InProgress, key.WorkerId, 0), (held.Status, held.WorkerId, held.Retries));
        Assert.Single(sandbox.Started);

        // Silent for three ping intervals after the restart: lost, its job back in the queue.
        harness.Clock.Advance((PingInterval * WorkerLiveness.MissedPings) + TimeSpan.FromSeconds(1));
        await StepAsync(harness, pool, recoveredAfterRestart, restarted);
        var lost = await WorkerAsync(harness, key.WorkerId);
        Assert.Equal((WorkerStates.Failed, WorkerTransitionReasons.Silent), (lost.State, lost.Reason));
        var requeued = await JobAsync(harness, jobId);
        Assert.Equal(1, requeued.Retries);
        Assert.NotEqual(key.WorkerId, requeued.WorkerId);
    }

    private static Task<DateTimeOffset?> StepAsync(PoolsHarness harness, Guid pool, HashSet<string> recovered, DateTimeOffset controllingSince) =>
        harness.WithAsync<DateTimeOffset?, PoolControllerStep>(s => s.RunAsync(pool, new HashSet<string>(StringComparer.Ordinal), recovered, controllingSince, CancellationToken.None));

    private static async Task<PoolWorker> WorkerAsync(PoolsHarness harness, string workerId)
    {
        await using var db = harness.Database.CreateContext();
        return await db.Set<PoolWorker>().AsNoTracking().SingleAsync(w => w.WorkerId == workerId);
    }

    private static async Task<PoolJob> JobAsync(PoolsHarness harness, Guid jobId)
    {
        await using var db = harness.Database.CreateContext();
        return await db.PoolJobs.AsNoTracking().SingleAsync(j => j.Id == jobId);
    }
}
