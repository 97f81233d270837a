using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Poddle.Core.Accounts;
using Poddle.Core.Alerts;
using Poddle.Core.Email;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Alerts;

/// <summary>
/// Alerts on a real database with a fake clock: the real notifier, the real job queue (run here, job by job, with
/// <see cref="RunJobsAsync"/>) and real receivers. <see cref="Another"/> is a second server on the same database.
/// </summary>
public sealed class AlertsHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly Action<AlertsOptions> _configure;
    private readonly SmtpTestServer? _smtp;
    private readonly bool _ownsDatabase;
    private readonly ServiceProvider _services;

    private AlertsHarness(TestDatabase database, FakeTimeProvider clock, Action<AlertsOptions> configure, SmtpTestServer? smtp, bool ownsDatabase)
    {
        Database = database;
        Clock = clock;
        _configure = configure;
        _smtp = smtp;
        _ownsDatabase = ownsDatabase;
        _services = Build();
    }

    public TestDatabase Database { get; }

    public FakeTimeProvider Clock { get; }

    public IServiceProvider Services => _services;

    public IAlertNotifier Notifier => _services.GetRequiredService<IAlertNotifier>();

    public static async Task<AlertsHarness> CreateAsync(DatabaseProvider provider, Action<AlertsOptions> configure, SmtpTestServer? smtp = null) =>
        new(await TestDatabase.CreateAsync(provider), new FakeTimeProvider(T0), configure, smtp, ownsDatabase: true);

    /// <summary>A second server on the same database and clock, with the same configuration.</summary>
    public AlertsHarness Another() => new(Database, Clock, _configure, _smtp, ownsDatabase: false);

    public AsyncServiceScope Scope() => _services.CreateAsyncScope();

    /// <summary>Runs every due job (dispatches, deliveries) until none is left; a failing delivery stays queued for its retry.</summary>
    public async Task RunJobsAsync()
    {
        var processor = _services.GetRequiredService<JobProcessor>();
        while (await processor.RunNextAsync(CancellationToken.None))
        {
        }
    }

    public async Task<Guid> SeedOwnerAsync(string name, bool verified = true)
    {
        await using var scope = Scope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var now = Clock.GetUtcNow();
        var user = new User
        {
            Id = Guid.NewGuid(),
            Email = $"{name}@example.test",
            Username = name,
            PasswordHash = "x",
            CreatedAt = now,
            UpdatedAt = now,
            EmailVerifiedAt = verified ? now : null,
        };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    public async Task<List<AlertIncident>> IncidentsAsync()
    {
        await using var scope = Scope();
        return await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Set<AlertIncident>().AsNoTracking().OrderBy(i => i.Id).ToListAsync();
    }

    public async Task<List<Job>> JobsAsync(string kind)
    {
        await using var scope = Scope();
        return await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Set<Job>().AsNoTracking().Where(j => j.Kind == kind).ToListAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_ownsDatabase)
        {
            await Database.DisposeAsync();
        }
    }

    private ServiceProvider Build()
    {
        var services = new ServiceCollection();
        Database.AddTo(services);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(Clock);
        services.AddPoddleJobs();
        if (_smtp is { } smtp)
        {
            services.AddPoddleEmail(options => options.Configure(o =>
            {
                o.Smtp.Host = "127.0.0.1";
                o.Smtp.Port = smtp.Port;
                o.Smtp.Security = SmtpSecurity.None;
                o.Smtp.From = SmtpTestServer.From;
            }));
        }

        services.AddPoddleAlerts(options => options.Configure(_configure));
        return services.BuildServiceProvider();
    }
}
