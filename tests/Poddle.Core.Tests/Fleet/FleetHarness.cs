using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Poddle.Core.Accounts;
using Poddle.Core.Agents;
using Poddle.Core.Alerts;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Fleet;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Core.Pools;
using Poddle.Core.Pools.Runtime;
using Poddle.Core.Pools.Scaling;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Testing;

namespace Poddle.Core.Tests.Fleet;

/// <summary>
/// The real fleet reconciler, pools and deployments services on a real test database, with one real driver (the sandbox,
/// or RunPod against its fake), a fake clock and a recording alert notifier.
/// </summary>
public sealed class FleetHarness : IAsyncDisposable
{
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(2);

    private readonly ServiceProvider _services;

    private FleetHarness(TestDatabase database, ServiceProvider services, FakeTimeProvider clock, IPodDriver driver)
    {
        Database = database;
        _services = services;
        Clock = clock;
        Driver = driver;
    }

    public TestDatabase Database { get; }

    public FakeTimeProvider Clock { get; }

    public IPodDriver Driver { get; }

    public IServiceProvider Services => _services;

    public RecordingAlertNotifier Alerts => (RecordingAlertNotifier)_services.GetRequiredService<IAlertNotifier>();

    public FleetReconciler Fleet => _services.GetRequiredService<FleetReconciler>();

    public static async Task<FleetHarness> CreateAsync(DatabaseProvider provider, IPodDriver driver, bool terminate = true)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var services = new ServiceCollection();
        database.AddTo(services);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton<IAlertNotifier, RecordingAlertNotifier>();
        services.AddPoddleJobs();
        services.AddPoddleAgents();
        services.AddPoddleDeployments(options => options.Configure(o => o.StopGracePeriod = TimeSpan.FromSeconds(1)));
        services.AddPoddlePools();
        services.AddPoddleFleet(options => options.Configure(o =>
        {
            o.OrphanGrace = Grace;
            o.TerminateOrphans = terminate;
        }));
        services.AddSingleton(new SecretEncryptionKey(RandomNumberGenerator.GetBytes(32)));
        services.AddSingleton(new SourceBundleDirectory(Path.Combine(Path.GetTempPath(), "poddle-fleet-sources-unused")));
        services.AddSingleton(driver);
        return new FleetHarness(database, services.BuildServiceProvider(), clock, driver);
    }

    /// <summary>This installation's id (the owner label of its pods).</summary>
    public Task<string> InstallationAsync() => _services.GetRequiredService<ControllerStore>().GetInstallationIdAsync(CancellationToken.None);

    /// <summary>A user and a pool of theirs on the harness's driver; returns (owner, pool).</summary>
    public async Task<(Guid Owner, Guid Pool)> CreatePoolAsync()
    {
        await using var db = Database.CreateContext();
        var now = Clock.GetUtcNow();
        var user = new User { Id = Guid.NewGuid(), Email = "fleet@example.test", Username = "fleet", PasswordHash = "x", CreatedAt = now, UpdatedAt = now };
        var pool = new Pool
        {
            Id = Guid.NewGuid(),
            OwnerId = user.Id,
            Name = "gpus",
            Driver = Driver.Name,
            SpecJson = PoolWorkerSpec.Serialize(new PoolWorkerSpec("poddle-test/busybox:latest", null, null, new Dictionary<string, string>(), [], new ResourceSpec(250, 256))),
            MaxWorkers = 2,
            ScalerType = PoolScalerTypes.QueueDelay,
            ScalerValue = 4,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Users.Add(user);
        db.Pools.Add(pool);
        await db.SaveChangesAsync();
        return (user.Id, pool.Id);
    }

    /// <summary>A worker row of <paramref name="pool"/> in <paramref name="state"/>, recording <paramref name="podId"/> (null: its pod is being started).</summary>
    public async Task<string> AddWorkerAsync(Guid pool, WorkerState state, string? podId, string? workerId = null)
    {
        await using var db = Database.CreateContext();
        var now = Clock.GetUtcNow();
        var worker = new PoolWorker
        {
            WorkerId = workerId ?? "w" + Guid.NewGuid().ToString("N")[..12],
            PoolId = pool,
            Driver = Driver.Name,
            PodId = podId,
            State = WorkerStates.Of(state),
            CreatedAt = now,
            StateChangedAt = now,
        };
        db.Set<PoolWorker>().Add(worker);
        await db.SaveChangesAsync();
        return worker.WorkerId;
    }

    /// <summary>The labels of a worker pod of this installation.</summary>
    public async Task<Dictionary<string, string>> WorkerLabelsAsync(Guid pool, string workerId, Guid owner) => new(StringComparer.Ordinal)
    {
        [PodLabels.Owner] = await InstallationAsync(),
        [PodLabels.Kind] = PoolWorkerPods.PodKind,
        [PodLabels.Id] = pool.ToString("N"),
        [PodLabels.Replica] = workerId,
        [PodLabels.Tenant] = owner.ToString("N"),
    };

    /// <summary>The pool's events of kind fleet.</summary>
    public async Task<List<PoolEvent>> FleetEventsAsync(Guid pool)
    {
        await using var db = Database.CreateContext();
        return [.. db.Set<PoolEvent>().Where(e => e.PoolId == pool && e.Kind == PoolEventKinds.Fleet).OrderBy(e => e.At)];
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Database.DisposeAsync();
    }
}
