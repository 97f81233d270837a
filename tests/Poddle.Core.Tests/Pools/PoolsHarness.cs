using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Poddle.Core.Accounts;
using Poddle.Core.Agents;
using Poddle.Core.Alerts;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Core.Pools;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Testing;

namespace Poddle.Core.Tests.Pools;

/// <summary>The real pool, job and worker-protocol services and job queue on a real test database, with a fake clock and in-memory drivers "sandbox" and "docker".</summary>
public sealed class PoolsHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private PoolsHarness(TestDatabase database, ServiceProvider services, FakeTimeProvider clock)
    {
        Database = database;
        _services = services;
        Clock = clock;
    }

    public TestDatabase Database { get; }

    public FakeTimeProvider Clock { get; }

    public IServiceProvider Services => _services;

    public PoolJobNotifier Notifier => _services.GetRequiredService<PoolJobNotifier>();

    public static async Task<PoolsHarness> CreateAsync(DatabaseProvider provider, Action<PoolOptions>? configure = null)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        database.AddTo(services);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton<IAlertNotifier, Fleet.RecordingAlertNotifier>();
        services.AddPoddleJobs();
        services.AddPoddleAgents();
        services.AddPoddleDeployments();
        services.AddPoddlePools(options => options.Configure(o => configure?.Invoke(o)));
        services.AddSingleton(new SecretEncryptionKey(RandomNumberGenerator.GetBytes(32)));
        services.AddSingleton(new SourceBundleDirectory(Path.Combine(Path.GetTempPath(), "poddle-pool-sources-unused")));
        services.AddSingleton<IPodDriver>(NamedTestPodDriver.Sandbox());
        services.AddSingleton<IPodDriver>(NamedTestPodDriver.Docker());
        services.AddSingleton<IPodDriver>(new Runtime.GpuTestPodDriver());
        return new PoolsHarness(database, services.BuildServiceProvider(), clock);
    }

    /// <summary>A user of <paramref name="tier"/>; returns their id.</summary>
    public async Task<Guid> CreateUserAsync(string username, UserTier tier = UserTier.Free)
    {
        await using var db = Database.CreateContext();
        var now = Clock.GetStoredUtcNow();
        var user = new User { Id = Guid.NewGuid(), Email = username + "@example.test", Username = username, PasswordHash = "x", Tier = tier, CreatedAt = now, UpdatedAt = now };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    /// <summary>Runs <paramref name="action"/> with a service from a fresh scope (as one request would).</summary>
    public async Task<T> WithAsync<T, TService>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = _services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public Task<Result<PoolView>> CreatePoolAsync(Guid owner, NewPool request) =>
        WithAsync<Result<PoolView>, PoolService>(s => s.CreateAsync(owner, request, CancellationToken.None));

    /// <summary>A pool of <paramref name="owner"/> running a command on the sandbox, with its id.</summary>
    public async Task<Guid> CreateCommandPoolAsync(Guid owner, string name = "workers", int maxRetries = 1)
    {
        var created = await CreatePoolAsync(owner, new NewPool(name, Command: ["python3", "handler.py"], MaxWorkers: 2, MaxRetries: maxRetries));
        Assert.True(created.IsSuccess, created.Error?.Message);
        return created.Value.Pool.Id;
    }

    /// <summary>Registers a worker of the pool and returns its key (as the protocol authenticates it).</summary>
    public async Task<PoolWorkerKey> CreateWorkerAsync(Guid poolId, string workerId)
    {
        var env = await WithAsync<Result<IReadOnlyDictionary<string, string>>, PoolWorkerProtocol>(p => p.CreateWorkerAsync(poolId, workerId, new Uri("http://127.0.0.1:8080"), CancellationToken.None));
        Assert.True(env.IsSuccess, env.Error?.Message);
        var key = await WithAsync<PoolWorkerKey?, PoolWorkerProtocol>(p => p.AuthenticateAsync(env.Value[PoolWorkerEnvironment.ApiKey], CancellationToken.None));
        return Assert.IsType<PoolWorkerKey>(key);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Database.DisposeAsync();
    }
}
