using System.Net;
using System.Net.Http.Json;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Server.Hosting;
using Poddle.Testing;

namespace Poddle.Server.Tests.Hosting;

public sealed class ForwardedHeadersTests
{
    private const string Password = "correct-horse-battery";

    [Fact]
    public async Task Login_BehindTrustedProxy_RateLimitsEachForwardedClientSeparately()
    {
        // Tests speak from 127.0.0.1, which the default TrustedProxies trusts, like a reverse proxy on the same host.
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        await server.CreateUserAsync("proxied", Password);
        using var client = server.CreateClient();

        await FailFiveTimesAsync(client, "203.0.113.7");
        var sameClient = await LoginAsync(client, "203.0.113.7", Password);
        var otherClient = await LoginAsync(client, "203.0.113.8", Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, sameClient.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherClient.StatusCode);
        var tokens = (await otherClient.Content.ReadFromJsonAsync<TokenResponse>())!;
        using var signedIn = server.CreateClient(tokens.AccessToken);
        var sessions = await signedIn.GetFromJsonAsync<List<SessionResponse>>("/api/users/me/sessions");
        Assert.Contains(sessions!, s => s.IpAddress == "203.0.113.8");
    }

    [Fact]
    public async Task Login_NoTrustedProxies_IgnoresForwardedFor()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite, new Dictionary<string, string?> { ["TrustedProxies"] = "" });
        await server.CreateUserAsync("direct", Password);
        using var client = server.CreateClient();

        await FailFiveTimesAsync(client, "203.0.113.7", "direct");
        var spoofed = await LoginAsync(client, "198.51.100.1", Password, "direct");

        // The header is not believed, so the caller is still the throttled loopback client.
        Assert.Equal(HttpStatusCode.TooManyRequests, spoofed.StatusCode);
    }

    [Fact]
    public void Build_BadTrustedProxy_ThrowsNamingTheKey()
    {
        var start = new ServerStartOptions
        {
            DataDir = Path.Combine(Path.GetTempPath(), "poddle-proxy-" + Guid.NewGuid().ToString("N")[..8]),
            Settings = new Dictionary<string, string?> { ["TrustedProxies"] = "10.0.0.0/8,not-an-address" },
        };

        var exception = Assert.Throws<StartupConfigurationException>(() => PoddleServer.Build(start));

        Assert.Contains("TrustedProxies", exception.Message, StringComparison.Ordinal);
        Assert.Contains("not-an-address", exception.Message, StringComparison.Ordinal);
    }

    private static async Task FailFiveTimesAsync(HttpClient client, string forwardedFor, string login = "proxied")
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(client, forwardedFor, "wrong-password", login)).StatusCode);
        }
    }

    private static async Task<HttpResponseMessage> LoginAsync(HttpClient client, string forwardedFor, string password, string login = "proxied")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
        {
            Content = JsonContent.Create(new LoginRequest(login, password)),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await client.SendAsync(request);
    }
}
