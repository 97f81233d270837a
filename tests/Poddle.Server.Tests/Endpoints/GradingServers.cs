using System.Collections.Concurrent;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Contracts;
using Poddle.Core.Curriculum;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

/// <summary>
/// One server per database provider for the grading, progress and class tests, with an in-memory problem catalog (the
/// starter curriculum, the secret test problems, and an archived one) and the real sandbox.
/// </summary>
public sealed class GradingServers : IAsyncDisposable
{
    private readonly ConcurrentDictionary<DatabaseProvider, Lazy<Task<TestServer>>> _servers = new();

    public InMemoryProblemCatalog Catalog { get; } = NewCatalog();

    public Task<TestServer> GetAsync(DatabaseProvider provider) =>
        _servers.GetOrAdd(provider, p => new Lazy<Task<TestServer>>(() => StartAsync(p, Catalog))).Value;

    public static InMemoryProblemCatalog NewCatalog()
    {
        var catalog = new InMemoryProblemCatalog(InMemoryProblemCatalog.SecretAdd(), InMemoryProblemCatalog.SecretShout(), InMemoryProblemCatalog.SecretAdd("archived-add"));
        catalog.Archive("archived-add");
        return catalog;
    }

    public static Task<TestServer> StartAsync(DatabaseProvider provider, InMemoryProblemCatalog catalog, IDictionary<string, string?>? settings = null) =>
        TestServer.StartAsync(provider, settings, builder => builder.Services.AddSingleton<IProblemCatalog>(catalog));

    /// <summary>A user with a role: registered, given the role by the admin, then signed in again (roles travel in the token).</summary>
    public static async Task<(HttpClient Client, UserResponse User)> CreateUserAsync(TestServer server, string username, UserRoleName role)
    {
        const string password = "correct-horse-battery";
        var (first, tokens) = await server.CreateUserAsync(username, password);
        first.Dispose();
        var (admin, _) = await server.SignInAdminAsync();
        using (admin)
        {
            (await admin.PatchAsJsonAsync($"/api/admin/users/{tokens.User.Id}", new UpdateUserAccessRequest(Role: role), PoddleJsonContext.Default.UpdateUserAccessRequest)).EnsureSuccessStatusCode();
        }

        using var anonymous = server.CreateClient();
        var login = await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest(username, password));
        login.EnsureSuccessStatusCode();
        var signedIn = (await login.Content.ReadFromJsonAsync<TokenResponse>())!;
        return (server.CreateClient(signedIn.AccessToken), signedIn.User);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers.Values)
        {
            await (await server.Value).DisposeAsync();
        }
    }
}
