using System.Net;
using System.Net.Http.Json;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Hosting;

public sealed class RequestIdTests(SharedServers servers) : IClassFixture<SharedServers>
{
    private const string Header = "X-Request-ID";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Request_WithASaneId_EchoesItInTheHeaderAndTheProblem(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/no-such-route");
        request.Headers.Add(Header, "trace-42.a:b_c");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("trace-42.a:b_c", Assert.Single(response.Headers.GetValues(Header)));
        Assert.Equal("trace-42.a:b_c", (await response.Content.ReadFromJsonAsync<ProblemResponse>())!.RequestId);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Request_WithoutOrWithAnUnsafeId_GetsAFreshOne(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        using var client = server.CreateClient();

        var plain = await client.GetAsync("/healthz");
        var generated = Assert.Single(plain.Headers.GetValues(Header));
        Assert.Matches("^[0-9a-f]{32}$", generated);

        foreach (var unsafeId in new[] { "has space", new string('a', 129), "new\\nline", "<script>" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/projects");
            request.Headers.TryAddWithoutValidation(Header, unsafeId);
            var response = await client.SendAsync(request);
            var echoed = Assert.Single(response.Headers.GetValues(Header));
            Assert.NotEqual(unsafeId, echoed);
            Assert.Matches("^[0-9a-f]{32}$", echoed);
            Assert.Equal(echoed, (await response.Content.ReadFromJsonAsync<ProblemResponse>())!.RequestId);
        }

        Assert.NotEqual(generated, Assert.Single((await client.GetAsync("/healthz")).Headers.GetValues(Header)));
    }
}
