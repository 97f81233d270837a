using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Server.Hosting;

namespace Poddle.Testing;

/// <summary>
/// The real server, in process, listening with Kestrel on a free loopback port: tests speak real HTTP to it.
/// Each instance has its own data directory and its own fresh database.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    public const string AdminPassword = "admin-password-for-tests";
    public const string AdminUsername = "admin";

    private readonly WebApplication _app;
    private readonly string _dataDir;

    private TestServer(WebApplication app, TestDatabase database, string dataDir, Uri baseAddress)
    {
        _app = app;
        Database = database;
        _dataDir = dataDir;
        BaseAddress = baseAddress;
    }

    public TestDatabase Database { get; }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Every address the server listens on (the proxy's HTTPS ones included).</summary>
    public IReadOnlyCollection<string> Addresses => PoddleServer.ListeningAddresses(_app);

    public static async Task<TestServer> StartAsync(
        DatabaseProvider provider,
        IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var database = await TestDatabase.CreateAsync(provider, migrate: false);
        var dataDir = Path.Combine(Path.GetTempPath(), "poddle-data-" + Guid.NewGuid().ToString("N")[..12]);
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Database"] = database.Setting,
            ["Admin:Username"] = AdminUsername,
            ["Admin:Email"] = "admin@example.test",
            ["Admin:Password"] = AdminPassword,
            ["Auth:PasswordWorkFactor"] = "10",

            // Many servers start during a test run: each discovers and verifies only Python and C, with small warm pools.
            ["Sandbox:Execution:Languages:0"] = "python",
            ["Sandbox:Execution:Languages:1"] = "c",
            ["Sandbox:Execution:WarmPool:MaxPerLanguage"] = "2",

            // Pool tests bring their own workers; a test of the pool controller turns it on.
            ["Pools:Controller:Enabled"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var app = await PoddleServer.StartAsync(
            new ServerStartOptions { Urls = "http://127.0.0.1:0", DataDir = dataDir, Settings = all, Console = TextWriter.Null },
            configure);
        var address = PoddleServer.ListeningAddresses(app).First(a => a.StartsWith("http://", StringComparison.Ordinal));
        return new TestServer(app, database, dataDir, new Uri(address));
    }

    /// <summary>An HTTP client for the server, optionally with a bearer token.</summary>
    public HttpClient CreateClient(string? bearerToken = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (bearerToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        return client;
    }

    /// <summary>Registers a member and signs in; returns a client carrying the access token and the login response.</summary>
    public async Task<(HttpClient Client, TokenResponse Tokens)> CreateUserAsync(string username, string password = "correct-horse-battery")
    {
        using var anonymous = CreateClient();
        var registered = await anonymous.PostAsJsonAsync("/api/auth/register", new RegisterRequest($"{username}@example.test", username, password));
        registered.EnsureSuccessStatusCode();
        var login = await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest(username, password));
        login.EnsureSuccessStatusCode();
        var tokens = (await login.Content.ReadFromJsonAsync<TokenResponse>())!;
        return (CreateClient(tokens.AccessToken), tokens);
    }

    public async Task<(HttpClient Client, TokenResponse Tokens)> SignInAdminAsync()
    {
        using var anonymous = CreateClient();
        var login = await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest(AdminUsername, AdminPassword));
        login.EnsureSuccessStatusCode();
        var tokens = (await login.Content.ReadFromJsonAsync<TokenResponse>())!;
        return (CreateClient(tokens.AccessToken), tokens);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Database.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: temp space.
        }
    }
}
