using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Poddle.Core.Accounts;
using Poddle.Core.Agents;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Fleet;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Core.Projects;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Testing;

namespace Poddle.Core.Tests.Deployments;

/// <summary>
/// The real controller (converge job through the real queue, health monitor, reconciler) on a real database, with a
/// <see cref="FakePodDriver"/> whose pods answer real HTTP on loopback, and a fake clock the test advances. Background
/// loops are not started: the test drives them a pass at a time, so every wait is deterministic.
/// </summary>
public sealed class ControllerHarness : IAsyncDisposable
{
    public static readonly TimeSpan ProgressDeadline = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan OrphanGrace = TimeSpan.FromMinutes(1);

    private readonly ServiceProvider _services;
    private bool _ownsDatabase;
    private Action<IServiceCollection>? _configure;

    private ControllerHarness(TestDatabase database, ServiceProvider services, FakeTimeProvider clock, FakePodDriver driver, byte[] key, bool ownsDatabase)
    {
        Database = database;
        _services = services;
        Clock = clock;
        Driver = driver;
        Key = key;
        _ownsDatabase = ownsDatabase;
    }

    public TestDatabase Database { get; }

    public FakeTimeProvider Clock { get; }

    public FakePodDriver Driver { get; }

    public byte[] Key { get; }

    public IServiceProvider Services => _services;

    public Guid OwnerId { get; private set; }

    public Guid ProjectId { get; private set; }

    public ReplicaHealthMonitor Monitor => _services.GetRequiredService<ReplicaHealthMonitor>();

    public DeploymentReconciler Reconciler => _services.GetRequiredService<DeploymentReconciler>();

    public FleetReconciler Fleet => _services.GetRequiredService<FleetReconciler>();

    /// <param name="provider">The database.</param>
    /// <param name="configure">More services (billing's tests add billing), also after a restart.</param>
    public static async Task<ControllerHarness> CreateAsync(DatabaseProvider provider, Action<IServiceCollection>? configure = null)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var harness = Build(database, clock, new FakePodDriver(clock), RandomNumberGenerator.GetBytes(32), ownsDatabase: true, configure);
        await harness.SeedOwnerAsync();
        await harness.Reconciler.RunOnceAsync(CancellationToken.None);
        return harness;
    }

    /// <summary>A new "server process" on the same database, clock and driver (the old one is abandoned, as by kill -9).</summary>
    public async Task<ControllerHarness> RestartAsync()
    {
        Driver.SimulateDriverRestart();
        var next = Build(Database, Clock, Driver, Key, ownsDatabase: true, _configure);
        next.OwnerId = OwnerId;
        next.ProjectId = ProjectId;

        // The dead process's controller lease must expire before the new one may lead.
        Clock.Advance(ControllerLeadership.LeaseDuration + TimeSpan.FromSeconds(1));
        _ownsDatabase = false;
        await _services.DisposeAsync();
        await next.Reconciler.RunOnceAsync(CancellationToken.None);
        return next;
    }

    public AsyncServiceScope Scope() => _services.CreateAsyncScope();

    public static string SpecJson(DeploymentSpec spec) => JsonSerializer.Serialize(spec, ReplicaPods.SpecJsonOptions);

    public static DeploymentSpec WebSpec(string image = "web:1", HealthCheckSpec? health = null, IReadOnlyDictionary<string, string>? env = null, IReadOnlyList<string>? secretKeys = null) =>
        new(image, null, null, 8080, env ?? new Dictionary<string, string> { ["MODE"] = "test" }, secretKeys ?? [], new ResourceSpec(250, 128), health);

    public static HealthCheckSpec Http(int failureThreshold = 3, int periodSeconds = 10, string path = "/healthz") =>
        new("http", path, null, null, periodSeconds, 1, failureThreshold, 0);

    /// <summary>Inserts a deployment with revision 1 and enqueues its converge job, as the API does.</summary>
    public async Task<Guid> CreateDeploymentAsync(int replicas, DeploymentSpec? spec = null, IReadOnlyDictionary<string, string>? secrets = null, string name = "web")
    {
        await using var scope = Scope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var protector = scope.ServiceProvider.GetRequiredService<SecretProtector>();
        var now = Clock.GetUtcNow();
        var deployment = new Deployment
        {
            Id = Guid.CreateVersion7(now),
            ProjectId = ProjectId,
            OwnerId = OwnerId,
            Name = name,
            Driver = Driver.Name,
            Replicas = replicas,
            CurrentRevision = 1,
            Status = DeploymentStatus.Pending,
            StatusReason = "accepted",
            StatusChangedAt = now,
            Generation = 1,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Deployments.Add(deployment);
        db.DeploymentRevisions.Add(new DeploymentRevision
        {
            Id = Guid.CreateVersion7(now),
            DeploymentId = deployment.Id,
            Number = 1,
            SpecJson = SpecJson(spec ?? WebSpec()),
            SecretsCiphertext = protector.Protect(secrets ?? new Dictionary<string, string>()),
            Cause = "create",
            CreatedAt = now,
        });
        await scope.ServiceProvider.GetRequiredService<JobQueue>().EnqueueConvergeAsync(deployment, "create", CancellationToken.None);
        await db.SaveChangesAsync();
        return deployment.Id;
    }

    /// <summary>Changes desired state as the API would (bumps the generation, enqueues a converge job).</summary>
    public async Task ChangeAsync(Guid id, Action<Deployment> change, DeploymentSpec? newSpec = null, string cause = "update")
    {
        await using var scope = Scope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var deployment = await db.Deployments.SingleAsync(d => d.Id == id);
        if (newSpec is not null)
        {
            var number = await db.DeploymentRevisions.Where(r => r.DeploymentId == id).MaxAsync(r => r.Number) + 1;
            db.DeploymentRevisions.Add(new DeploymentRevision
            {
                Id = Guid.CreateVersion7(Clock.GetUtcNow()),
                DeploymentId = id,
                Number = number,
                SpecJson = SpecJson(newSpec),
                Cause = cause,
                CreatedAt = Clock.GetUtcNow(),
            });
            deployment.CurrentRevision = number;
        }

        change(deployment);
        deployment.Generation++;
        await scope.ServiceProvider.GetRequiredService<JobQueue>().EnqueueConvergeAsync(deployment, cause, CancellationToken.None);
        await db.SaveChangesAsync();
    }

    /// <summary>
    /// Runs due jobs and a monitor pass, then advances the clock one second, until no converge job is queued or
    /// <paramref name="maxSeconds"/> pass. <paramref name="afterEachStep"/> sees the state after every job and pass.
    /// </summary>
    public async Task<int> SettleAsync(int maxSeconds = 120, Func<Task>? afterEachStep = null, bool monitor = true)
    {
        var processor = _services.GetRequiredService<JobProcessor>();
        for (var second = 0; second <= maxSeconds; second++)
        {
            while (await processor.RunNextAsync(CancellationToken.None))
            {
                if (afterEachStep is not null)
                {
                    await afterEachStep();
                }
            }

            if (monitor)
            {
                await Monitor.RunOnceAsync(CancellationToken.None);
                if (afterEachStep is not null)
                {
                    await afterEachStep();
                }
            }

            if (!await PendingConvergeAsync())
            {
                return second;
            }

            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        return maxSeconds;
    }

    /// <summary>Advances the clock second by second for <paramref name="seconds"/>, running jobs and the monitor each second.</summary>
    public async Task RunForAsync(int seconds, Func<Task>? afterEachSecond = null)
    {
        var processor = _services.GetRequiredService<JobProcessor>();
        for (var i = 0; i < seconds; i++)
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            while (await processor.RunNextAsync(CancellationToken.None))
            {
            }

            await Monitor.RunOnceAsync(CancellationToken.None);
            if (afterEachSecond is not null)
            {
                await afterEachSecond();
            }
        }
    }

    public async Task<bool> PendingConvergeAsync()
    {
        await using var scope = Scope();
        return await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Set<Job>()
            .AnyAsync(j => j.Kind == DeploymentJobs.Converge && (j.State == JobState.Queued || j.State == JobState.Running));
    }

    public async Task<Deployment> GetAsync(Guid id)
    {
        await using var scope = Scope();
        return await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Deployments.AsNoTracking().SingleAsync(d => d.Id == id);
    }

    public async Task<List<Replica>> ReplicasAsync(Guid id, bool includeStopped = false)
    {
        await using var scope = Scope();
        return await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Replicas.AsNoTracking()
            .Where(r => r.DeploymentId == id && (includeStopped || r.Phase != ReplicaPhase.Stopped))
            .OrderBy(r => r.CreatedAt)
            .ToListAsync();
    }

    public async Task<List<DeploymentRevision>> RevisionsAsync(Guid id)
    {
        await using var scope = Scope();
        return await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().DeploymentRevisions.AsNoTracking()
            .Where(r => r.DeploymentId == id).OrderBy(r => r.Number).ToListAsync();
    }

    public async Task<List<DeploymentEvent>> EventsAsync(Guid id)
    {
        await using var scope = Scope();
        return await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().DeploymentEvents.AsNoTracking()
            .Where(e => e.DeploymentId == id).OrderBy(e => e.FirstSeenAt).ToListAsync();
    }

    /// <summary>The fake's pod that runs the replica now.</summary>
    public FakePod PodOf(Replica replica) => Driver.Pods.Single(p => p.Handle.PodId == replica.PodId);

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_ownsDatabase)
        {
            await Driver.DisposeAsync();
            await Database.DisposeAsync();
        }
    }

    private static ControllerHarness Build(TestDatabase database, FakeTimeProvider clock, FakePodDriver driver, byte[] key, bool ownsDatabase, Action<IServiceCollection>? configure)
    {
        var services = new ServiceCollection();
        database.AddTo(services);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(clock);
        services.AddPoddleJobs(options => options.Configure(o =>
        {
            o.MaxAttempts = 3;
            o.BaseRetryDelay = TimeSpan.FromSeconds(2);
            o.MaxRetryDelay = TimeSpan.FromSeconds(10);
        }));
        services.AddPoddleAgents();
        services.AddPoddleDeployments(options => options.Configure(o =>
        {
            o.ProgressDeadline = ProgressDeadline;
            o.StopGracePeriod = TimeSpan.FromSeconds(3);
        }));
        services.AddPoddleFleet(options => options.Configure(o => o.OrphanGrace = OrphanGrace));
        services.AddSingleton(new SecretEncryptionKey(key));
        services.AddSingleton(new SourceBundleDirectory(Path.GetTempPath()));
        services.AddSingleton<IPodDriver>(driver);
        configure?.Invoke(services);
        return new ControllerHarness(database, services.BuildServiceProvider(), clock, driver, key, ownsDatabase) { _configure = configure };
    }

    private async Task SeedOwnerAsync()
    {
        await using var scope = Scope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var now = Clock.GetUtcNow();
        var user = new User { Id = Guid.NewGuid(), Email = "owner@example.test", Username = "owner", PasswordHash = "x", CreatedAt = now, UpdatedAt = now };
        var project = new Project { Id = Guid.NewGuid(), OwnerId = user.Id, Name = "demo", CreatedAt = now, UpdatedAt = now };
        db.Users.Add(user);
        db.Projects.Add(project);
        await db.SaveChangesAsync();
        OwnerId = user.Id;
        ProjectId = project.Id;
    }
}
