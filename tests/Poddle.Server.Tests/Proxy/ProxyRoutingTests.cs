using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;
using Poddle.Server.Proxy;
using Poddle.Testing;

namespace Poddle.Server.Tests.Proxy;

/// <summary>
/// One server whose route table is refreshed by the change signal only (the poll is an hour), so every test that
/// routes also proves the signal works. Each test uses its own project, hence its own host.
/// </summary>
public sealed class ProxyServerFixture : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await TestServer.StartAsync(DatabaseProvider.Sqlite, new Dictionary<string, string?> { ["Proxy:RefreshInterval"] = "01:00:00", ["Jobs:Workers"] = "0" });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class ProxyRoutingTests(ProxyServerFixture fixture) : IClassFixture<ProxyServerFixture>
{
    private TestServer Server => fixture.Server;

    private int Port => Server.BaseAddress.Port;

    [Fact]
    public async Task AppHost_AnyPath_ReachesTheReplicaWithForwardedHeaders()
    {
        await using var backend = await ProxyBackend.StartAsync("a");
        var id = await ProxyTestKit.CreateDeploymentAsync(Server, "demo1", "web");
        await ProxyTestKit.AddReplicaAsync(Server, id, backend);
        await ProxyTestKit.NotifyAndWaitAsync(Server, id, "web-demo1.localhost", 1);
        using var client = ProxyTestKit.ClientFor(Port);

        var body = await client.GetStringAsync($"http://web-demo1.localhost:{Port}/api/projects?x=1");

        Assert.Contains("backend=a", body, StringComparison.Ordinal);
        Assert.Contains("path=/api/projects", body, StringComparison.Ordinal);
        Assert.Contains($"host=web-demo1.localhost:{Port}", body, StringComparison.Ordinal);
        Assert.Contains("x-forwarded-for=127.0.0.1", body, StringComparison.Ordinal);
        Assert.Contains("x-forwarded-proto=http", body, StringComparison.Ordinal);
        Assert.Contains($"x-forwarded-host=web-demo1.localhost:{Port}", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerOwnHost_StillServesTheApi()
    {
        await using var backend = await ProxyBackend.StartAsync("api");
        var id = await ProxyTestKit.CreateDeploymentAsync(Server, "demo2", "web");
        await ProxyTestKit.AddReplicaAsync(Server, id, backend);
        await ProxyTestKit.NotifyAndWaitAsync(Server, id, "web-demo2.localhost", 1);
        using var client = Server.CreateClient();

        var health = await client.GetAsync("/healthz");
        var projects = await client.GetAsync("/api/projects");
        using var byName = ProxyTestKit.ClientFor(Port);
        var localhost = await byName.GetAsync($"http://localhost:{Port}/api/projects");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, projects.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, localhost.StatusCode);
        Assert.Equal(0, backend.Requests);
    }

    [Fact]
    public async Task TwoReadyReplicas_ShareTheLoad_AndANotReadyOneGetsNothing()
    {
        await using var a = await ProxyBackend.StartAsync("a");
        await using var b = await ProxyBackend.StartAsync("b");
        await using var notReady = await ProxyBackend.StartAsync("not-ready");
        await using var starting = await ProxyBackend.StartAsync("starting");
        var id = await ProxyTestKit.CreateDeploymentAsync(Server, "demo3", "web");
        await ProxyTestKit.AddReplicaAsync(Server, id, a);
        await ProxyTestKit.AddReplicaAsync(Server, id, b);
        await ProxyTestKit.AddReplicaAsync(Server, id, notReady, ready: false);
        await ProxyTestKit.AddReplicaAsync(Server, id, starting, ready: true, phase: ReplicaPhase.Starting);
        await ProxyTestKit.NotifyAndWaitAsync(Server, id, "web-demo3.localhost", 2);
        using var client = ProxyTestKit.ClientFor(Port);

        for (var i = 0; i < 20; i++)
        {
            var response = await client.GetAsync($"http://web-demo3.localhost:{Port}/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(20, a.Requests + b.Requests);
        Assert.InRange(a.Requests, 8, 12);
        Assert.Equal(0, notReady.Requests);
        Assert.Equal(0, starting.Requests);
    }

    [Fact]
    public async Task ReplicaKilled_RequestsKeepSucceedingOnTheOther()
    {
        await using var a = await ProxyBackend.StartAsync("a");
        await using var b = await ProxyBackend.StartAsync("b");
        var id = await ProxyTestKit.CreateDeploymentAsync(Server, "demo4", "web");
        await ProxyTestKit.AddReplicaAsync(Server, id, a);
        await ProxyTestKit.AddReplicaAsync(Server, id, b);
        await ProxyTestKit.NotifyAndWaitAsync(Server, id, "web-demo4.localhost", 2);
        using var client = ProxyTestKit.ClientFor(Port);
        for (var i = 0; i < 4; i++)
        {
            (await client.GetAsync($"http://web-demo4.localhost:{Port}/")).EnsureSuccessStatusCode();
        }

        Assert.True(b.Requests > 0);
        await b.StopAsync();
        var before = a.Requests;

        // The database still lists b as ready (the controller has not noticed yet): the proxy must cope on its own.
        for (var i = 0; i < 20; i++)
        {
            var response = await client.GetAsync($"http://web-demo4.localhost:{Port}/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("backend=a", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(before + 20, a.Requests);

        // This server's own counter: /metrics is one registry for every server in the test process.
        Assert.True(Server.Services.GetRequiredService<ProxyMetrics>().Retries > 0);
    }

    [Fact]
    public async Task WebSocket_EchoesThroughTheProxy()
    {
        await using var backend = await ProxyBackend.StartAsync("ws");
        var id = await ProxyTestKit.CreateDeploymentAsync(Server, "demo5", "chat");
        await ProxyTestKit.AddReplicaAsync(Server, id, backend);
        await ProxyTestKit.NotifyAndWaitAsync(Server, id, "chat-demo5.localhost", 1);
        using var socket = new ClientWebSocket();
        using var invoker = new HttpMessageInvoker(ProxyTestKit.LoopbackHandler(Port));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await socket.ConnectAsync(new Uri($"ws://chat-demo5.localhost:{Port}/ws"), invoker, timeout.Token);
        var replies = new List<string>();
        foreach (var message in new[] { "hello", "through the proxy" })
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            var buffer = new byte[1024];
            var received = await socket.ReceiveAsync(buffer, timeout.Token);
            replies.Add(Encoding.UTF8.GetString(buffer, 0, received.Count));
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);

        Assert.Equal(["hello", "through the proxy"], replies);
        Assert.Equal(WebSocketState.Closed, socket.State);
    }

    [Fact]
    public async Task ServerSentEvents_StreamIncrementally()
    {
        await using var backend = await ProxyBackend.StartAsync("sse");
        var id = await ProxyTestKit.CreateDeploymentAsync(Server, "demo6", "feed");
        await ProxyTestKit.AddReplicaAsync(Server, id, backend);
        await ProxyTestKit.NotifyAndWaitAsync(Server, id, "feed-demo6.localhost", 1);
        using var client = ProxyTestKit.ClientFor(Port);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        using var response = await client.GetAsync($"http://feed-demo6.localhost:{Port}/sse", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        // The backend holds the second event back until the first one has arrived through the proxy.
        var first = await reader.ReadLineAsync(timeout.Token);
        Assert.False(backend.ReleaseSecondEvent.Task.IsCompleted);
        backend.ReleaseSecondEvent.SetResult();
        var rest = await reader.ReadToEndAsync(timeout.Token);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("data: first from sse", first);
        Assert.Equal("\ndata: second\n\n", rest);
    }

    [Fact]
    public async Task ProxiedResponses_GetSecurityHeaders_UnlessTheAppSetsThem()
    {
        await using var backend = await ProxyBackend.StartAsync("h");
        var id = await ProxyTestKit.CreateDeploymentAsync(Server, "demo7", "web");
        await ProxyTestKit.AddReplicaAsync(Server, id, backend);
        await ProxyTestKit.NotifyAndWaitAsync(Server, id, "web-demo7.localhost", 1);
        using var client = ProxyTestKit.ClientFor(Port);

        var plain = await client.GetAsync($"http://web-demo7.localhost:{Port}/");
        var framed = await client.GetAsync($"http://web-demo7.localhost:{Port}/framed");

        Assert.Equal("nosniff", Assert.Single(plain.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("strict-origin-when-cross-origin", Assert.Single(plain.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("SAMEORIGIN", Assert.Single(plain.Headers.GetValues("X-Frame-Options")));
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
        Assert.Equal("DENY", Assert.Single(framed.Headers.GetValues("X-Frame-Options")));
    }

    [Fact]
    public async Task AppWithoutReadyReplica_Is503WithRetryAfter_UnknownAppIs404()
    {
        await using var backend = await ProxyBackend.StartAsync("down");
        var id = await ProxyTestKit.CreateDeploymentAsync(Server, "demo8", "web");
        await ProxyTestKit.AddReplicaAsync(Server, id, backend, ready: false);
        await ProxyTestKit.NotifyAndWaitAsync(Server, id, "web-demo8.localhost", 0);
        using var client = ProxyTestKit.ClientFor(Port);

        var unavailable = await client.GetAsync($"http://web-demo8.localhost:{Port}/api/anything");
        var unknown = await client.GetAsync($"http://nothing-here.localhost:{Port}/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), unavailable.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", unavailable.Content.Headers.ContentType?.MediaType);
        var problem = await unavailable.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Equal("urn:poddle:problem:no-ready-replica", problem!.Type);
        Assert.Equal("no_ready_replica", problem.Extensions["legacyCode"]?.ToString());
        Assert.Contains("no ready replica", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var notFound = await unknown.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Equal("urn:poddle:problem:app-not-found", notFound!.Type);
        Assert.Equal("app_not_found", notFound.Extensions["legacyCode"]?.ToString());
        Assert.Equal(0, backend.Requests);
    }

    [Fact]
    public async Task CustomDomain_RoutedOnlyOnceVerified()
    {
        await using var backend = await ProxyBackend.StartAsync("custom");
        var id = await ProxyTestKit.CreateDeploymentAsync(Server, "demo9", "shop");
        await ProxyTestKit.AddReplicaAsync(Server, id, backend);
        var domainId = Guid.CreateVersion7();
        await using (var db = Server.Database.CreateContext())
        {
            var ownerId = db.Deployments.Single(d => d.Id == id).OwnerId;
            db.CustomDomains.Add(new CustomDomain
            {
                Id = domainId,
                DeploymentId = id,
                OwnerId = ownerId,
                Hostname = "shop.example.test",
                VerificationToken = "token",
                CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        await ProxyTestKit.NotifyAndWaitAsync(Server, id, "shop-demo9.localhost", 1);
        using var client = ProxyTestKit.ClientFor(Port);
        var unverified = await client.GetAsync($"http://shop.example.test:{Port}/");

        await using (var db = Server.Database.CreateContext())
        {
            db.CustomDomains.Single(d => d.Id == domainId).VerifiedAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync();
        }

        await ProxyTestKit.NotifyAndWaitAsync(Server, id, "shop.example.test", 1);
        var verified = await client.GetAsync($"http://shop.example.test:{Port}/");

        // Unverified, the name is not an app's: the request is Poddle's own (its root is the web app's home page).
        Assert.Equal(HttpStatusCode.OK, unverified.StatusCode);
        Assert.True(unverified.Headers.Contains("Content-Security-Policy"));
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        Assert.Contains("backend=custom", await verified.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, backend.Requests);
    }

    [Fact]
    public async Task DeletedDeployment_IsNoLongerRouted_AndMetricsCountPerDeployment()
    {
        await using var backend = await ProxyBackend.StartAsync("gone");
        var id = await ProxyTestKit.CreateDeploymentAsync(Server, "demo10", "web");
        await ProxyTestKit.AddReplicaAsync(Server, id, backend);
        await ProxyTestKit.NotifyAndWaitAsync(Server, id, "web-demo10.localhost", 1);
        using var client = ProxyTestKit.ClientFor(Port);
        (await client.GetAsync($"http://web-demo10.localhost:{Port}/")).EnsureSuccessStatusCode();
        var metrics = await Server.CreateClient().GetStringAsync("/metrics");

        await using (var db = Server.Database.CreateContext())
        {
            db.Deployments.Single(d => d.Id == id).DeletedAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync();
        }

        await ProxyTestKit.NotifyAndWaitAsync(Server, id, "web-demo10.localhost", -1);
        var after = await client.GetAsync($"http://web-demo10.localhost:{Port}/");

        Assert.Matches("poddle_proxy_requests(_total)?\\{[^}]*deployment=\"web-demo10\"[^}]*\\} 1", metrics);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        Assert.Equal(1, backend.Requests);
        Assert.Equal(1, Server.Services.GetRequiredService<ProxyMetrics>().RequestsOf("web-demo10"));
    }
}
