using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Poddle.Core.Accounts;
using Poddle.Core.Agents;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Core.Projects;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Testing;

namespace Poddle.Core.Tests.Deployments;

/// <summary>The real deployments API services, job queue and secret protector on a real test database, with a fake clock and in-memory drivers "sandbox" (commands) and "docker" (images).</summary>
public sealed class DeploymentsHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private DeploymentsHarness(TestDatabase database, ServiceProvider services, FakeTimeProvider clock, string sourcesDir, FakeDnsTxtResolver dns)
    {
        Database = database;
        _services = services;
        Clock = clock;
        SourcesDir = sourcesDir;
        Dns = dns;
    }

    public TestDatabase Database { get; }

    public FakeTimeProvider Clock { get; }

    public string SourcesDir { get; }

    public FakeDnsTxtResolver Dns { get; }

    public IServiceProvider Services => _services;

    public static async Task<DeploymentsHarness> CreateAsync(DatabaseProvider provider, Action<DeploymentOptions>? configure = null)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var sources = Path.Combine(Path.GetTempPath(), "poddle-sources-" + Guid.NewGuid().ToString("N")[..12]);
        var dns = new FakeDnsTxtResolver();
        var services = new ServiceCollection();
        database.AddTo(services);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(clock);
        services.AddPoddleJobs();
        services.AddPoddleAgents();
        services.AddPoddleDeployments(options => options.Configure(o => configure?.Invoke(o)));
        services.AddSingleton(new SecretEncryptionKey(RandomNumberGenerator.GetBytes(32)));
        services.AddSingleton(new SourceBundleDirectory(sources));
        services.AddSingleton<IPodDriver>(NamedTestPodDriver.Sandbox());
        services.AddSingleton<IPodDriver>(NamedTestPodDriver.Docker());
        services.AddSingleton<IDnsTxtResolver>(dns);
        return new DeploymentsHarness(database, services.BuildServiceProvider(), clock, sources, dns);
    }

    public AsyncServiceScope Scope() => _services.CreateAsyncScope();

    /// <summary>A user (free tier unless told) with one project; returns their ids.</summary>
    public async Task<(Guid UserId, Guid ProjectId)> CreateUserWithProjectAsync(string username, UserTier tier = UserTier.Free, string project = "demo")
    {
        await using var db = Database.CreateContext();
        var now = Clock.GetStoredUtcNow();
        var user = new User { Id = Guid.NewGuid(), Email = username + "@example.test", Username = username, PasswordHash = "x", Tier = tier, CreatedAt = now, UpdatedAt = now };
        var created = new Project { Id = Guid.NewGuid(), OwnerId = user.Id, Name = project, CreatedAt = now, UpdatedAt = now };
        db.Users.Add(user);
        db.Projects.Add(created);
        await db.SaveChangesAsync();
        return (user.Id, created.Id);
    }

    public async Task<T> WithServiceAsync<T, TService>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = Scope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public Task<Result<DeploymentView>> CreateAsync(Guid userId, Guid projectId, NewDeployment request) =>
        WithServiceAsync<Result<DeploymentView>, DeploymentService>(s => s.CreateAsync(userId, projectId, request, CancellationToken.None));

    public async Task<List<Job>> ConvergeJobsAsync(Guid deploymentId)
    {
        await using var db = Database.CreateContext();
        var prefix = $"deployment:{deploymentId:N}:";
        var jobs = await db.Set<Job>().AsNoTracking().Where(j => j.Kind == DeploymentJobs.Converge).ToListAsync();
        return [.. jobs.Where(j => j.IdempotencyKey!.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(j => j.IdempotencyKey!.Length).ThenBy(j => j.IdempotencyKey, StringComparer.Ordinal)];
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Database.DisposeAsync();
        if (Directory.Exists(SourcesDir))
        {
            Directory.Delete(SourcesDir, recursive: true);
        }
    }

    /// <summary>TXT records set by the test, by name (there is no DNS server here to publish them to).</summary>
    public sealed class FakeDnsTxtResolver : IDnsTxtResolver
    {
        public Dictionary<string, List<string>> Records { get; } = new(StringComparer.OrdinalIgnoreCase);

        public List<string> Queried { get; } = [];

        public Task<IReadOnlyList<string>> ResolveTxtAsync(string name, CancellationToken cancellationToken)
        {
            Queried.Add(name);
            return Task.FromResult<IReadOnlyList<string>>(Records.TryGetValue(name, out var values) ? [.. values] : []);
        }
    }
}
