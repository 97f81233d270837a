using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Poddle.Core.Accounts;
using Poddle.Core.Alerts;
using Poddle.Core.Billing;
using Poddle.Core.Deployments;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Core.Projects;
using Poddle.Testing;

namespace Poddle.Core.Tests.Billing;

/// <summary>
/// Billing on a real database with a fake clock. Replica changes are written the way the controller writes them (phase
/// and timestamps on the replica row, saved through the real context), so the runs billing reads come from the real
/// recorder; <see cref="Deployments.ReplicaRunRecorderTests"/> shows the real controller produces those writes.
/// </summary>
public sealed class BillingHarness : IAsyncDisposable
{
    private readonly Action<IServiceCollection>? _configure;
    private ServiceProvider _services;

    private BillingHarness(TestDatabase database, FakeTimeProvider clock, Action<IServiceCollection>? configure)
    {
        Database = database;
        Clock = clock;
        _configure = configure;
        _services = Build();
    }

    public TestDatabase Database { get; }

    public FakeTimeProvider Clock { get; }

    public IServiceProvider Services => _services;

    /// <param name="provider">The database.</param>
    /// <param name="start">The fake clock's start.</param>
    /// <param name="configure">More services or options (mail, webhook), after billing's.</param>
    public static async Task<BillingHarness> CreateAsync(DatabaseProvider provider, DateTimeOffset start, Action<IServiceCollection>? configure = null) =>
        new(await TestDatabase.CreateAsync(provider), new FakeTimeProvider(start), configure);

    /// <summary>A new server process on the same database (the old one's in-memory state is gone).</summary>
    public async Task RestartAsync()
    {
        await _services.DisposeAsync();
        _services = Build();
    }

    public AsyncServiceScope Scope() => _services.CreateAsyncScope();

    public async Task<int> RateAsync()
    {
        await using var scope = Scope();
        return await scope.ServiceProvider.GetRequiredService<UsageRater>().RateDueAsync(CancellationToken.None);
    }

    public async Task<(Guid Owner, Guid Project)> SeedOwnerAsync(string name, UserTier tier = UserTier.Free)
    {
        await using var scope = Scope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var now = Clock.GetUtcNow();
        var user = new User { Id = Guid.NewGuid(), Email = $"{name}@example.test", Username = name, PasswordHash = "x", Tier = tier, CreatedAt = now, UpdatedAt = now };
        var project = new Project { Id = Guid.NewGuid(), OwnerId = user.Id, Name = "demo", CreatedAt = now, UpdatedAt = now };
        db.Users.Add(user);
        db.Projects.Add(project);
        await db.SaveChangesAsync();
        return (user.Id, project.Id);
    }

    public async Task<Guid> CreateDeploymentAsync((Guid Owner, Guid Project) owner, string name, int cpuMillicores, int memoryMb)
    {
        await using var scope = Scope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var now = Clock.GetUtcNow();
        var deployment = new Deployment
        {
            Id = Guid.CreateVersion7(now),
            ProjectId = owner.Project,
            OwnerId = owner.Owner,
            Name = name,
            Driver = "fake",
            Replicas = 1,
            CurrentRevision = 1,
            Status = DeploymentStatus.Running,
            StatusChangedAt = now,
            Generation = 1,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Deployments.Add(deployment);
        var spec = new DeploymentSpec("web:1", null, null, 8080, new Dictionary<string, string>(), [], new ResourceSpec(cpuMillicores, memoryMb), null);
        db.DeploymentRevisions.Add(new DeploymentRevision
        {
            Id = Guid.CreateVersion7(now),
            DeploymentId = deployment.Id,
            Number = 1,
            SpecJson = JsonSerializer.Serialize(spec, ReplicaPods.SpecJsonOptions),
            Cause = "create",
            CreatedAt = now,
        });
        await db.SaveChangesAsync();
        return deployment.Id;
    }

    /// <summary>A new replica whose pod started at <paramref name="at"/> (as ReplicaPods.StartAsync records it).</summary>
    public async Task<Guid> StartReplicaAsync(Guid deploymentId, DateTimeOffset at)
    {
        Clock.SetUtcNow(at);
        await using var scope = Scope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var replica = new Replica
        {
            Id = Guid.CreateVersion7(at),
            DeploymentId = deploymentId,
            Revision = 1,
            Driver = "fake",
            Phase = ReplicaPhase.Running,
            StartedAt = at,
            CreatedAt = at,
            UpdatedAt = at,
        };
        db.Replicas.Add(replica);
        await db.SaveChangesAsync();
        return replica.Id;
    }

    /// <summary>The pod exited at <paramref name="at"/> (as the health monitor records a crash).</summary>
    public Task CrashAsync(Guid replicaId, DateTimeOffset at) => ChangeAsync(replicaId, at, r =>
    {
        r.Phase = ReplicaPhase.Crashed;
        r.LastExitReason = "exit code 1";
        r.LastExitAt = at;
        r.UpdatedAt = at;
    });

    /// <summary>The pod was started again at <paramref name="at"/> after its back-off.</summary>
    public Task RestartReplicaAsync(Guid replicaId, DateTimeOffset at) => ChangeAsync(replicaId, at, r =>
    {
        r.Phase = ReplicaPhase.Running;
        r.StartedAt = at;
        r.Restarts++;
        r.UpdatedAt = at;
    });

    /// <summary>The pod was stopped and destroyed at <paramref name="at"/> (scale down, deletion: ReplicaPods.RetireAsync).</summary>
    public Task StopReplicaAsync(Guid replicaId, DateTimeOffset at) => ChangeAsync(replicaId, at, r =>
    {
        r.Phase = ReplicaPhase.Stopped;
        r.LastExitReason ??= "scaled down";
        r.LastExitAt ??= at;
        r.UpdatedAt = at;
    });

    public async Task<long> BalanceAsync(Guid ownerId)
    {
        await using var scope = Scope();
        return await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Set<BillingAccount>()
            .Where(a => a.OwnerId == ownerId).Select(a => a.BalanceMinor).SingleOrDefaultAsync();
    }

    public async Task<long> LedgerSumAsync(Guid ownerId)
    {
        await using var scope = Scope();
        var amounts = await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Set<LedgerEntry>()
            .Where(e => e.OwnerId == ownerId).Select(e => e.AmountMinor).ToListAsync();
        return amounts.Sum();
    }

    public async Task<List<UsageCharge>> ChargesAsync()
    {
        await using var scope = Scope();
        return await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Set<UsageCharge>().AsNoTracking().ToListAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Database.DisposeAsync();
    }

    private async Task ChangeAsync(Guid replicaId, DateTimeOffset at, Action<Replica> change)
    {
        Clock.SetUtcNow(at);
        await using var scope = Scope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        change(await db.Replicas.SingleAsync(r => r.Id == replicaId));
        await db.SaveChangesAsync();
    }

    /// <summary>Runs every due job (billing notices' deliveries) until none is left.</summary>
    public async Task RunJobsAsync()
    {
        var processor = _services.GetRequiredService<JobProcessor>();
        while (await processor.RunNextAsync(CancellationToken.None))
        {
        }
    }

    private ServiceProvider Build()
    {
        var services = new ServiceCollection();
        Database.AddTo(services);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(Clock);
        services.AddPoddleJobs();
        services.TryAddScoped<DeploymentEventRecorder>();
        services.AddPoddleAlerts();
        services.TryAddSingleton<DeploymentAlerts>();
        services.AddPoddleBilling(options => options.Configure(o => o.Enabled = true));
        _configure?.Invoke(services);
        return services.BuildServiceProvider();
    }
}
