using System.Collections.Concurrent;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests;

/// <summary>
/// One running server per database provider, shared by the tests of a class that only read, or write data of
/// their own users, so a class does not pay a server start per test.
/// </summary>
public sealed class SharedServers : IAsyncDisposable
{
    private readonly ConcurrentDictionary<DatabaseProvider, Lazy<Task<TestServer>>> _servers = new();

    public Task<TestServer> GetAsync(DatabaseProvider provider) =>
        _servers.GetOrAdd(provider, p => new Lazy<Task<TestServer>>(() => TestServer.StartAsync(p))).Value;

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers.Values)
        {
            await (await server.Value).DisposeAsync();
        }
    }
}
