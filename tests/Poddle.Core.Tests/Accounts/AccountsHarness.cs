using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Poddle.Core.Accounts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Accounts;

/// <summary>The account services wired as the server wires them, on a real database, with a clock the test moves.</summary>
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

    public static async Task<AccountsHarness> CreateAsync(DatabaseProvider provider)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider(Start);
        var services = new ServiceCollection();
        database.AddTo(services);
        services.AddLogging();
        services.AddSingleton<TimeProvider>(clock);
        services.AddOptions<AuthOptions>().Configure(o => o.PasswordWorkFactor = 10);
        services.AddSingleton(new AccessTokenSigningKey(RandomNumberGenerator.GetBytes(32)));
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<AccessTokenIssuer>();
        services.AddScoped<AccountService>();
        services.AddScoped<ApiTokenService>();
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

    public async Task<User> RegisterAsync(string username, string password = "correct-horse-battery")
    {
        var result = await AccountsAsync(a => a.RegisterAsync(new NewUser($"{username}@example.test", username, password), UserRole.Member, CancellationToken.None));
        Assert.True(result.IsSuccess, result.Error?.Code);
        return result.Value;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Database.DisposeAsync();
    }
}
