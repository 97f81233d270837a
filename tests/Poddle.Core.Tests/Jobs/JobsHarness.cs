using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Jobs;

/// <summary>The real job services on a real test database, with a fake clock and a scriptable handler.</summary>
public sealed class JobsHarness : IAsyncDisposable
{
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan BaseDelay = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(10);

    private readonly ServiceProvider _services;

    private JobsHarness(TestDatabase database, ServiceProvider services, FakeTimeProvider clock, ScriptedJobHandler handler)
    {
        Database = database;
        _services = services;
        Clock = clock;
        Handler = handler;
    }

    public TestDatabase Database { get; }

    public FakeTimeProvider Clock { get; }

    /// <summary>Handles kind <see cref="ScriptedJobHandler.JobKind"/>; succeeds unless scripted otherwise.</summary>
    public ScriptedJobHandler Handler { get; }

    public IServiceProvider Services => _services;

    public JobProcessor Processor => _services.GetRequiredService<JobProcessor>();

    public static async Task<JobsHarness> CreateAsync(DatabaseProvider provider, int maxAttempts = 3, Action<IServiceCollection>? configure = null)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var handler = new ScriptedJobHandler();
        var services = new ServiceCollection();
        database.AddTo(services);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(clock);
        services.AddPoddleJobs(options => options.Configure(o =>
        {
            o.LeaseDuration = Lease;
            o.HeartbeatInterval = Heartbeat;
            o.MaxAttempts = maxAttempts;
            o.BaseRetryDelay = BaseDelay;
            o.MaxRetryDelay = MaxDelay;
        }));
        services.AddKeyedSingleton<IJobHandler>(ScriptedJobHandler.JobKind, handler);
        configure?.Invoke(services);
        return new JobsHarness(database, services.BuildServiceProvider(), clock, handler);
    }

    /// <summary>A scope with its own DbContext and JobQueue; dispose it.</summary>
    public AsyncServiceScope Scope() => _services.CreateAsyncScope();

    public async Task<Job> EnqueueAsync(string kind = ScriptedJobHandler.JobKind, string? payload = null, EnqueueOptions? options = null)
    {
        await using var scope = Scope();
        return (await scope.ServiceProvider.GetRequiredService<JobQueue>().EnqueueAndSaveAsync(kind, payload, options)).Job;
    }

    public async Task<Job> GetAsync(Guid id)
    {
        await using var db = Database.CreateContext();
        return await db.Set<Job>().AsNoTracking().SingleAsync(j => j.Id == id);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>A handler whose behaviour each test scripts; records every attempt it saw.</summary>
public sealed class ScriptedJobHandler : IJobHandler
{
    public const string JobKind = "test.scripted";

    private readonly List<JobContext> _seen = [];

    public string Kind => JobKind;

    public Func<JobContext, CancellationToken, Task> Behaviour { get; set; } = (_, _) => Task.CompletedTask;

    public IReadOnlyList<JobContext> Seen
    {
        get
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }

    public Task HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        lock (_seen)
        {
            _seen.Add(context);
        }

        return Behaviour(context, cancellationToken);
    }
}
