using System.Net;
using System.Net.Sockets;
using Poddle.Agent.Diagnostics;
using Poddle.Agent.Tests.Health;

namespace Poddle.Agent.Tests.Diagnostics;

[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed in DisposeAsync (IAsyncLifetime).")]
public sealed class EndpointProbeTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private HealthEndpoint _app = null!;

    public async Task InitializeAsync() => _app = await HealthEndpoint.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }

    // Generous: the first request to a fresh Kestrel on a busy 2-core machine can take a while (JIT).
    private EndpointProbe Probe(double timeoutSeconds = 10) => new(_http, TimeSpan.FromSeconds(timeoutSeconds), TimeProvider.System);

    [Fact]
    public async Task Http_Answering_Reachable()
    {
        var result = await Probe().ProbeAsync(_app.Url.ToString(), CancellationToken.None);

        Assert.Equal(("http", true, 200), (result.Kind, result.Reachable, result.StatusCode));
    }

    [Fact]
    public async Task Http_500_IsAProblem()
    {
        _app.Mode = HealthMode.ServerError;

        var result = await Probe().ProbeAsync(_app.Url.ToString(), CancellationToken.None);

        Assert.False(result.Reachable);
        Assert.Equal($"endpoint {_app.Url} answered HTTP 500", result.Message);
    }

    [Fact]
    public async Task Http_Hanging_TimesOut()
    {
        _app.Mode = HealthMode.Hang;

        var result = await Probe(0.5).ProbeAsync(_app.Url.ToString(), CancellationToken.None);

        Assert.Equal($"endpoint {_app.Url} unreachable: no answer within 0.5 s", result.Message);
    }

    [Fact]
    public async Task TcpAndHttp_Refused_SayConnectionRefused()
    {
        var port = ClosedPort();

        var tcp = await Probe().ProbeAsync($"127.0.0.1:{port}", CancellationToken.None);
        var http = await Probe().ProbeAsync($"http://127.0.0.1:{port}/", CancellationToken.None);

        Assert.Equal((false, $"endpoint 127.0.0.1:{port} unreachable: connection refused"), (tcp.Reachable, tcp.Message));
        Assert.Equal($"endpoint http://127.0.0.1:{port}/ unreachable: connection refused", http.Message);
    }

    [Fact]
    public async Task Tcp_Listening_Connects()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();

        var result = await Probe().ProbeAsync($"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}", CancellationToken.None);

        Assert.Equal(("tcp", true), (result.Kind, result.Reachable));
    }

    [Fact]
    public async Task NotAnEndpoint_SaysSo_AndPasswordsAreMasked()
    {
        var bad = await Probe().ProbeAsync("just-a-name", CancellationToken.None);
        var withPassword = await Probe().ProbeAsync($"http://user:hunter2@127.0.0.1:{ClosedPort()}/", CancellationToken.None);

        Assert.Equal("endpoint just-a-name is neither an http(s) URL nor host:port", bad.Message);
        Assert.DoesNotContain("hunter2", withPassword.Message, StringComparison.Ordinal);
        Assert.StartsWith("http://user:****@127.0.0.1", withPassword.Endpoint, StringComparison.Ordinal);
    }

    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
