using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Email;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Accounts;

/// <summary>
/// The account services wired as the server wires them, on a real database, with a clock the test moves. With an
/// <see cref="SmtpTestServer"/>, mail goes to that real SMTP server; the job queue's workers do not run here, so
/// <see cref="DeliverMailAsync"/> runs the queued mail jobs through their real handler.
/// </summary>
internal sealed class AccountsHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services;

    private AccountsHarness(TestDatabase database, ServiceProvider services, FakeTimeProvider clock)
    {
        Database = database;
        _services = services;
        Clock = clock;
    }

    public TestDatabase Database { get; }

    public FakeTimeProvider Clock { get; }

    public IServiceProvider Services => _services;

    public static async Task<AccountsHarness> CreateAsync(
        DatabaseProvider provider, SmtpTestServer? smtp = null, Action<EmailOptions>? email = null, Action<AuthOptions>? auth = null)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider(Start);
        var services = new ServiceCollection();
        database.AddTo(services);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(clock);
        services.AddPoddleJobs();
        services.AddPoddleEmail(options => options.Configure(o =>
        {
            if (smtp is not null)
            {
                o.Smtp.Host = "127.0.0.1";
                o.Smtp.Port = smtp.Port;
                o.Smtp.Security = SmtpSecurity.None;
                o.Smtp.From = SmtpTestServer.From;
            }

            email?.Invoke(o);
        }));
        services.AddPoddleAccounts(options => options.Configure(o =>
        {
            o.PasswordWorkFactor = 10;
            auth?.Invoke(o);
        }));
        services.AddSingleton(new AccessTokenSigningKey(RandomNumberGenerator.GetBytes(32)));
        services.AddSingleton(new SecretEncryptionKey(RandomNumberGenerator.GetBytes(32)));
        return new AccountsHarness(database, services.BuildServiceProvider(), clock);
    }

    /// <summary>A fresh scope per call, like one HTTP request: nothing is shared through the change tracker.</summary>
    public async Task<T> WithAsync<TService, T>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = _services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public Task<T> AccountsAsync<T>(Func<AccountService, Task<T>> action) => WithAsync(action);

    public Task<T> ApiTokensAsync<T>(Func<ApiTokenService, Task<T>> action) => WithAsync(action);

    public Task<T> TwoFactorAsync<T>(Func<TwoFactorService, Task<T>> action) => WithAsync(action);

    public async Task<User> RegisterAsync(string username, string password = "correct-horse-battery")
    {
        var result = await AccountsAsync(a => a.RegisterAsync(new NewUser($"{username}@example.test", username, password), UserRole.Member, CancellationToken.None));
        Assert.True(result.IsSuccess, result.Error?.Code);
        return result.Value;
    }

    /// <summary>Signs in with the password; fails the test unless that gives tokens (no second factor).</summary>
    public async Task<AuthTokens> LoginAsync(string login, string password = "correct-horse-battery", string ip = "10.0.0.1")
    {
        var result = await AccountsAsync(a => a.LoginAsync(login, password, new ClientInfo(ip, "tests"), CancellationToken.None));
        Assert.True(result.IsSuccess, result.Error?.Code);
        return result.Value.Tokens ?? throw new InvalidOperationException("The sign-in asked for a second factor.");
    }

    /// <summary>Runs every queued account mail job through <see cref="AccountMailJob"/> (sending to the SMTP server) and marks it done.</summary>
    public async Task<int> DeliverMailAsync()
    {
        await using var db = Database.CreateContext();
        var jobs = await db.Set<Job>().Where(j => j.Kind == AccountMailJob.JobKind && j.State == JobState.Queued).OrderBy(j => j.CreatedAt).ToListAsync();
        foreach (var job in jobs)
        {
            await using var scope = _services.CreateAsyncScope();
            var handler = scope.ServiceProvider.GetRequiredKeyedService<IJobHandler>(AccountMailJob.JobKind);
            await handler.HandleAsync(new JobContext(job.Id, job.Kind, job.Payload, 1, job.MaxAttempts, "tests"), CancellationToken.None);
            job.State = JobState.Succeeded;
        }

        await db.SaveChangesAsync();
        return jobs.Count;
    }

    public async Task<int> QueuedMailAsync()
    {
        await using var db = Database.CreateContext();
        return await db.Set<Job>().CountAsync(j => j.Kind == AccountMailJob.JobKind && j.State == JobState.Queued);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Database.DisposeAsync();
    }
}
