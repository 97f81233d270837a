using Poddle.Server.Tests.Proxy;
using Poddle.Testing;

namespace Poddle.Server.Tests.Web;

/// <summary>The web app's security headers (src/Poddle.Web/Security): on its pages, not on the API, never on a proxied app.</summary>
public sealed class SecurityHeadersTests(ProxyServerFixture fixture) : IClassFixture<ProxyServerFixture>
{
    private TestServer Server => fixture.Server;

    [Theory]
    [InlineData("/")]
    [InlineData("/signin")]
    public async Task WebPage_HasTheSecurityHeaders(string path)
    {
        using var client = Server.CreateClient();

        var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("strict-origin-when-cross-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Contains("camera=()", Assert.Single(response.Headers.GetValues("Permissions-Policy")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_KeepsItsOwnHeaders()
    {
        using var client = Server.CreateClient();

        var response = await client.GetAsync(new Uri("/api/users/me", UriKind.Relative));

        Assert.False(response.Headers.Contains("Content-Security-Policy"));
        Assert.False(response.Headers.Contains("X-Frame-Options"));
    }

    [Fact]
    public async Task ProxiedApp_GetsNoneOfThem()
    {
        await using var backend = await ProxyBackend.StartAsync("headers");
        var id = await ProxyTestKit.CreateDeploymentAsync(Server, "webheaders", "web");
        await ProxyTestKit.AddReplicaAsync(Server, id, backend);
        await ProxyTestKit.NotifyAndWaitAsync(Server, id, "web-webheaders.localhost", 1);
        using var client = ProxyTestKit.ClientFor(Server.BaseAddress.Port);

        var response = await client.GetAsync(new Uri($"http://web-webheaders.localhost:{Server.BaseAddress.Port}/"));

        Assert.Contains("backend=headers", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Content-Security-Policy"));
        Assert.False(response.Headers.Contains("Permissions-Policy"));

        // The proxy keeps its own defaults for apps (ProxyTransformer: SAMEORIGIN, a referrer policy), not the web app's.
        Assert.DoesNotContain("DENY", response.Headers.TryGetValues("X-Frame-Options", out var frame) ? frame : [], StringComparer.Ordinal);
    }
}
