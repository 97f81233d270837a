using System.Net;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Proxy;

public sealed class ProxyPostgresTests
{
    [Fact]
    public async Task Postgres_ChangeMadeElsewhere_IsPickedUpByThePoll()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Postgres, new Dictionary<string, string?> { ["Proxy:RefreshInterval"] = "00:00:00.2", ["Jobs:Workers"] = "0" });
        await using var a = await ProxyBackend.StartAsync("pg-a");
        await using var b = await ProxyBackend.StartAsync("pg-b");
        var id = await ProxyTestKit.CreateDeploymentAsync(server, "demo", "web");
        await ProxyTestKit.AddReplicaAsync(server, id, a);
        await ProxyTestKit.AddReplicaAsync(server, id, b);

        // No signal: as if another server sharing the database had made the change.
        await ProxyTestKit.WaitForRouteAsync(server, "web-demo.localhost", 2);
        using var client = ProxyTestKit.ClientFor(server.BaseAddress.Port);
        for (var i = 0; i < 6; i++)
        {
            var response = await client.GetAsync($"http://web-demo.localhost:{server.BaseAddress.Port}/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(3, a.Requests);
        Assert.Equal(3, b.Requests);
    }
}
