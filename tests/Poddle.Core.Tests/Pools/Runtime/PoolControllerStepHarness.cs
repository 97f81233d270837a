using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Accounts;
using Poddle.Core.Agents;
using Poddle.Core.Common;
using Poddle.Core.Persistence;
using Poddle.Core.Pools;
using Poddle.Core.Pools.Runtime;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Testing;

namespace Poddle.Core.Tests.Pools.Runtime;

/// <summary>
/// The pool controller's pass (<see cref="PoolControllerStep"/>, the real one) over one pool of the real services on a
/// real database, with the fake clock and the in-memory "sandbox" driver; workers are played through the real worker
/// protocol with the keys their pods were started with. Nothing sleeps: time moves only by <see cref="AdvanceAsync"/>.
/// </summary>
internal sealed class PoolControllerStepHarness : IAsyncDisposable
{
    private readonly HashSet<string> _recovered = new(StringComparer.Ordinal);

    private PoolControllerStepHarness(PoolsHarness pools, Guid owner, Guid pool, NamedTestPodDriver driver)
    {
        Pools = pools;
        Owner = owner;
        Pool = pool;
        Driver = driver;
    }

    public PoolsHarness Pools { get; }

    public Guid Owner { get; }

    public Guid Pool { get; }

    public NamedTestPodDriver Driver { get; }

    public static async Task<PoolControllerStepHarness> CreateAsync(DatabaseProvider provider, NewPool pool)
    {
        var pools = await PoolsHarness.CreateAsync(provider);
        pools.Services.GetRequiredService<AgentServerAddress>().SetListenAddresses(["http://127.0.0.1:8080"]);
        var owner = await pools.CreateUserAsync("alice", UserTier.Pro);
        var created = await pools.CreatePoolAsync(owner, pool with { Command = ["python3", "handler.py"] });
        Assert.True(created.IsSuccess, created.Error?.Message);
        var driver = pools.Services.GetServices<IPodDriver>().OfType<NamedTestPodDriver>().Single(d => d.Name == "sandbox");
        return new PoolControllerStepHarness(pools, owner, created.Value.Pool.Id, driver);
    }

    /// <summary>One pass of the controller over the pool (a fresh scope, as the controller runs it); its next due time. The
    /// server has been the controller all along (no restart: silence counts from the last ping).</summary>
    public Task<DateTimeOffset?> PassAsync(params string[] stopRequested) =>
        Pools.WithAsync<DateTimeOffset?, PoolControllerStep>(
            s => s.RunAsync(Pool, stopRequested.ToHashSet(StringComparer.Ordinal), _recovered, DateTimeOffset.MinValue, CancellationToken.None));

    /// <summary>Submits <paramref name="count"/> jobs; their ids.</summary>
    public async Task<List<Guid>> SubmitAsync(int count)
    {
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var job = await Pools.WithAsync<Result<PoolJob>, PoolJobService>(s => s.SubmitAsync(Owner, Pool, new PoolJobSubmission($$"""{"n":{{i}}}"""), CancellationToken.None));
            Assert.True(job.IsSuccess, job.Error?.Message);
            ids.Add(job.Value.Id);
        }

        return ids;
    }

    public Task<Result<PoolJob>> CancelAsync(Guid jobId) =>
        Pools.WithAsync<Result<PoolJob>, PoolJobService>(s => s.CancelAsync(Owner, Pool, jobId, CancellationToken.None));

    /// <summary>The pool's workers that are neither terminated nor failed, oldest first.</summary>
    public async Task<List<PoolWorker>> LiveAsync()
    {
        await using var db = Pools.Database.CreateContext();
        return (await db.Set<PoolWorker>().AsNoTracking().Where(w => w.PoolId == Pool).ToListAsync())
            .Where(w => w.State is not Core.Pools.Scaling.WorkerStates.Terminated and not Core.Pools.Scaling.WorkerStates.Failed)
            .OrderBy(w => w.CreatedAt).ThenBy(w => w.WorkerId, StringComparer.Ordinal)
            .ToList();
    }

    public async Task<PoolWorker> WorkerAsync(string workerId)
    {
        await using var db = Pools.Database.CreateContext();
        return await db.Set<PoolWorker>().AsNoTracking().SingleAsync(w => w.WorkerId == workerId);
    }

    public async Task<PoolJob> JobAsync(Guid jobId)
    {
        await using var db = Pools.Database.CreateContext();
        return await db.PoolJobs.AsNoTracking().SingleAsync(j => j.Id == jobId);
    }

    /// <summary>The pool's decision events, oldest first: (rule, message).</summary>
    public async Task<List<(string Rule, string Message)>> DecisionsAsync()
    {
        await using var db = Pools.Database.CreateContext();
        return (await db.Set<PoolEvent>().AsNoTracking().Where(e => e.PoolId == Pool && e.Kind == PoolEventKinds.Decision).ToListAsync())
            .OrderBy(e => e.At).Select(e => (e.Reason, e.Message)).ToList();
    }

    /// <summary>The key worker <paramref name="workerId"/>'s pod was started with, as the protocol authenticates it.</summary>
    public async Task<PoolWorkerKey> KeyAsync(string workerId)
    {
        var spec = Driver.Started.Last(s => s.Labels.TryGetValue(PodLabels.Replica, out var id) && id == workerId);
        var key = await Pools.WithAsync<PoolWorkerKey?, PoolWorkerProtocol>(p => p.AuthenticateAsync(spec.Env[PoolWorkerEnvironment.ApiKey], CancellationToken.None));
        return Assert.IsType<PoolWorkerKey>(key);
    }

    /// <summary>The worker asks for a job (no wait); the job it got, if any.</summary>
    public async Task<PoolJob?> TakeAsync(string workerId)
    {
        var key = await KeyAsync(workerId);
        var taken = await Pools.WithAsync<IReadOnlyList<PoolJob>, PoolWorkerProtocol>(p => p.TakeAsync(key, 1, TimeSpan.Zero, CancellationToken.None));
        return taken.SingleOrDefault();
    }

    public async Task FinishAsync(string workerId, Guid jobId)
    {
        var key = await KeyAsync(workerId);
        var posted = await Pools.WithAsync<Result<bool>, PoolWorkerProtocol>(p => p.PostResultAsync(key, jobId, """{"output":"done"}""", CancellationToken.None));
        Assert.True(posted.IsSuccess && posted.Value, $"the result of {jobId} from {workerId} was not taken");
    }

    public async Task PingAsync(string workerId)
    {
        var key = await KeyAsync(workerId);
        await Pools.WithAsync<bool, PoolWorkerProtocol>(async p =>
        {
            await p.PingAsync(key, CancellationToken.None);
            return true;
        });
    }

    /// <summary>
    /// Moves the clock by <paramref name="span"/> in steps of <paramref name="step"/>, as time passes for the real
    /// controller: after each step the live workers in <paramref name="pinging"/> ping and a pass runs (its periodic tick).
    /// </summary>
    public async Task AdvanceAsync(TimeSpan span, TimeSpan step, bool pinging = true)
    {
        for (var moved = TimeSpan.Zero; moved < span; moved += step)
        {
            Pools.Clock.Advance(step);
            if (pinging)
            {
                foreach (var worker in await LiveAsync())
                {
                    if (Driver.Started.Any(s => s.Labels.TryGetValue(PodLabels.Replica, out var id) && id == worker.WorkerId))
                    {
                        await PingAsync(worker.WorkerId);
                    }
                }
            }

            await PassAsync();
        }
    }

    public ValueTask DisposeAsync() => Pools.DisposeAsync();
}
