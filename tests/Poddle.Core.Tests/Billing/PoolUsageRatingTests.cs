using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Poddle.Core.Billing;
using Poddle.Core.Billing.Invoices;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;
using Poddle.Core.Pools;
using Poddle.Core.Pools.Runtime;
using Poddle.Core.Pools.Scaling;
using Poddle.Testing;

namespace Poddle.Core.Tests.Billing;

/// <summary>
/// Pool workers metered and rated like replicas. Worker states change through the controller's own
/// <see cref="PoolWorkerRecorder"/> and are saved through the real context, so the runs come from the real recorder.
/// </summary>
public sealed class PoolUsageRatingTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RateDueAsync_PoolWorkers_ChargedPerPoolHourProratedBySecondOnce(DatabaseProvider provider)
    {
        var gpuPool = Guid.CreateVersion7(T0);
        await using var h = await BillingHarness.CreateAsync(provider, T0, services => services.Configure<BillingOptions>(o =>
        {
            o.GpuPoolCosts[gpuPool.ToString()] = 100_000;
            o.GpuMarginPercent = 20;
        }));
        var alice = await h.SeedOwnerAsync("alice");
        var cpuPool = await CreatePoolAsync(h, alice.Owner, Guid.CreateVersion7(T0), "cpu", 500, 256);
        await CreatePoolAsync(h, alice.Owner, gpuPool, "gpu", 250, 100);

        // A worker that never started a pod (spawning → failed) and one ended while spawning are never billed.
        var never = await SpawnAsync(h, cpuPool, T0.AddMinutes(10));
        await MoveAsync(h, never, WorkerState.Failed, WorkerTransitionReasons.StartFailed, T0.AddMinutes(12));
        var cancelled = await SpawnAsync(h, cpuPool, T0.AddMinutes(13));
        await MoveAsync(h, cancelled, WorkerState.Terminating, WorkerTransitionReasons.ScaledDown, T0.AddMinutes(14));
        await MoveAsync(h, cancelled, WorkerState.Terminated, WorkerTransitionReasons.Stopped, T0.AddMinutes(15));

        // The CPU pool's worker runs 90 minutes across two hours: its pod starts at 00:30:00, it idles, takes a job,
        // drains, and is gone at 02:00:00.
        var cpu = await SpawnAsync(h, cpuPool, T0.AddMinutes(20));
        await MoveAsync(h, cpu, WorkerState.Initializing, WorkerTransitionReasons.PodStarted, T0.AddMinutes(30));
        await MoveAsync(h, cpu, WorkerState.Idle, WorkerTransitionReasons.FirstPoll, T0.AddMinutes(31));
        await MoveAsync(h, cpu, WorkerState.Running, WorkerTransitionReasons.JobTaken, T0.AddMinutes(40));

        // The GPU pool's worker: pod from 01:15:20 to 01:45:10 (terminating counts: the pod is still there).
        var gpu = await SpawnAsync(h, gpuPool, T0.AddHours(1).AddMinutes(15));
        await MoveAsync(h, gpu, WorkerState.Initializing, WorkerTransitionReasons.PodStarted, T0.AddHours(1).AddMinutes(15).AddSeconds(20));

        // Both run now: the burn is both workers' hourly prices (below).
        h.Clock.SetUtcNow(T0.AddHours(1).AddMinutes(20));
        await using (var scope = h.Scope())
        {
            var burn = await scope.ServiceProvider.GetRequiredService<UsageMeter>().HourlyBurnAsync(h.Clock.GetUtcNow(), CancellationToken.None);
            Assert.Equal(55_000 + 155_000, burn[alice.Owner]);
        }

        await MoveAsync(h, gpu, WorkerState.Terminating, WorkerTransitionReasons.ScaledDown, T0.AddHours(1).AddMinutes(45));
        await MoveAsync(h, gpu, WorkerState.Terminated, WorkerTransitionReasons.Stopped, T0.AddHours(1).AddMinutes(45).AddSeconds(10));
        await MoveAsync(h, cpu, WorkerState.Draining, WorkerTransitionReasons.ScaledDown, T0.AddHours(1).AddMinutes(50));
        await MoveAsync(h, cpu, WorkerState.Terminating, WorkerTransitionReasons.StopRequested, T0.AddHours(1).AddMinutes(59));
        await MoveAsync(h, cpu, WorkerState.Terminated, WorkerTransitionReasons.Stopped, T0.AddHours(2));

        h.Clock.SetUtcNow(T0.AddHours(2).AddMinutes(10));
        Assert.Equal(3, await h.RateAsync());
        Assert.Equal(0, await h.RateAsync());

        // By hand (free tier: 100 UZS per 250 m, 50 UZS per 100 MB, 200 UZS base, an hour, in tiyin):
        //   cpu worker 500 m / 256 MB: 2·10 000 + 3·5 000 + 20 000 = 55 000 an hour;
        //     00:00 hour: 00:30:00–01:00:00 = 1 800 s → 55 000 × 1 800 / 3 600 = 27 500
        //     01:00 hour: 3 600 s → 55 000
        //   gpu worker 250 m / 100 MB: 35 000 + ⌈100 000 × 120 / 100⌉ = 155 000 an hour;
        //     01:00 hour: 01:15:20–01:45:10 = 1 790 s → 155 000 × 1 790 / 3 600 = 77 069.44… → 77 069
        //   total 27 500 + 55 000 + 77 069 = 159 569.
        var charges = (await h.ChargesAsync()).OrderBy(c => c.HourStart).ThenBy(c => c.AmountMinor).ToList();
        Assert.Equal(
            [(cpuPool, T0, 27_500L, 1_800L), (cpuPool, T0.AddHours(1), 55_000L, 3_600L), (gpuPool, T0.AddHours(1), 77_069L, 1_790L)],
            charges.Select(c => (c.DeploymentId, c.HourStart.ToUniversalTime(), c.AmountMinor, c.ReplicaSeconds)).ToList());
        Assert.Equal(-159_569, await h.BalanceAsync(alice.Owner));
        Assert.Equal(-159_569, await h.LedgerSumAsync(alice.Owner));

        // The same amounts in the month's usage and on its invoice, under the pools' names.
        await using (var scope = h.Scope())
        {
            var usage = await scope.ServiceProvider.GetRequiredService<BillingService>().GetUsageAsync(alice.Owner, CancellationToken.None);
            Assert.Equal(159_569, usage.AmountMinor);
            Assert.Equal([("pool:cpu", 82_500L, 0L), ("pool:gpu", 77_069L, 0L)], usage.Deployments.Select(d => (d.Name, d.AmountMinor, d.HourlyMinor)).ToList());
            var invoice = (await ActivatorUtilities.CreateInstance<InvoiceService>(scope.ServiceProvider).GetAsync(alice.Owner, "2030-01", CancellationToken.None)).Value;
            Assert.Equal([("pool:cpu", 2, 82_500L), ("pool:gpu", 1, 77_069L)], invoice.Charges.Select(l => (l.Deployment, l.Hours, l.AmountMinor)).ToList());
            Assert.Equal(-159_569, invoice.ClosingMinor);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task DeleteAsync_PoolWithARunningWorker_StopsItsMetering(DatabaseProvider provider)
    {
        await using var h = await BillingHarness.CreateAsync(provider, T0);
        var alice = await h.SeedOwnerAsync("alice");
        var pool = await CreatePoolAsync(h, alice.Owner, Guid.CreateVersion7(T0), "cpu", 250, 100);
        var worker = await SpawnAsync(h, pool, T0);
        await MoveAsync(h, worker, WorkerState.Initializing, WorkerTransitionReasons.PodStarted, T0);

        // Deleted at 00:30: its workers go by cascade; their runs end then, and 30 minutes of 35 000 an hour are charged.
        h.Clock.SetUtcNow(T0.AddMinutes(30));
        await using (var scope = h.Scope())
        {
            // Deleting needs only the database, the clock and the log; the secrets, drivers and guard are not used.
            var sp = scope.ServiceProvider;
            var pools = new PoolService(
                sp.GetRequiredService<PoddleDbContext>(), null!, null!, sp.GetRequiredService<IDatabaseErrors>(), null!,
                Options.Create(new PoolOptions()), Options.Create(new DeploymentOptions()), h.Clock, NullLogger<PoolService>.Instance);
            var deleted = await pools.DeleteAsync(alice.Owner, pool, CancellationToken.None);
            Assert.True(deleted.IsSuccess);
        }

        h.Clock.SetUtcNow(T0.AddHours(3).AddMinutes(10));
        Assert.Equal(1, await h.RateAsync());
        var charge = Assert.Single(await h.ChargesAsync());
        Assert.Equal(17_500, charge.AmountMinor);
    }

    private static async Task<Guid> CreatePoolAsync(BillingHarness h, Guid ownerId, Guid id, string name, int cpuMillicores, int memoryMb)
    {
        await using var scope = h.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var now = h.Clock.GetUtcNow();
        db.Pools.Add(new Pool
        {
            Id = id,
            OwnerId = ownerId,
            Name = name,
            Driver = "fake",
            SpecJson = PoolWorkerSpec.Serialize(new PoolWorkerSpec("worker:1", null, null, new Dictionary<string, string>(), [], new ResourceSpec(cpuMillicores, memoryMb))),
            MinWorkers = 0,
            MaxWorkers = 2,
            ScalerType = PoolScalerTypes.QueueDelay,
            ScalerValue = 4,
            CreatedAt = now,
            UpdatedAt = now,
        });
        await db.SaveChangesAsync();
        return id;
    }

    private static async Task<string> SpawnAsync(BillingHarness h, Guid poolId, DateTimeOffset at)
    {
        h.Clock.SetUtcNow(at);
        await using var scope = h.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var worker = new PoolWorkerRecorder(db, h.Clock).Spawning(poolId, "fake");
        await db.SaveChangesAsync();
        return worker.WorkerId;
    }

    private static async Task MoveAsync(BillingHarness h, string workerId, WorkerState to, string reason, DateTimeOffset at)
    {
        h.Clock.SetUtcNow(at);
        await using var scope = h.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var worker = await db.Set<PoolWorker>().SingleAsync(w => w.WorkerId == workerId);
        Assert.True(new PoolWorkerRecorder(db, h.Clock).Move(worker, to, reason).IsSuccess);
        await db.SaveChangesAsync();
    }
}
