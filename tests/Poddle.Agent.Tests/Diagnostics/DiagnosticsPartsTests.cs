using System.Net;
using System.Net.Sockets;
using Poddle.Agent.Diagnostics;
using Poddle.Agent.Tests.Health;

namespace Poddle.Agent.Tests.Diagnostics;

public sealed class SecretMaskerTests
{
    [Theory]
    [InlineData("PODDLE_AGENT_TOKEN", true)]
    [InlineData("AWS_SECRET_ACCESS_KEY", true)]
    [InlineData("DB_PASSWORD", true)]
    [InlineData("api_key", true)]
    [InlineData("GOOGLE_APPLICATION_CREDENTIALS", true)]
    [InlineData("HTTP_AUTHORIZATION", true)]
    [InlineData("PWD", false)]
    [InlineData("PATH", false)]
    [InlineData("RUNPOD_POD_ID", false)]
    public void IsSecretName(string name, bool secret) => Assert.Equal(secret, SecretMasker.IsSecretName(name));

    [Fact]
    public void MaskVariable_SecretNamesWhollyAndPasswordsInUrlsAndConnectionStrings()
    {
        Assert.Equal("****", SecretMasker.MaskVariable("PODDLE_AGENT_TOKEN", "pdl_abc123"));
        Assert.Equal("postgres://poddle:****@db:5432/poddle", SecretMasker.MaskVariable("DATABASE_URL", "postgres://poddle:s3cr3t@db:5432/poddle"));
        Assert.Equal("Host=db;Username=poddle;Password=****;Database=x", SecretMasker.MaskVariable("PODDLE_DB", "Host=db;Username=poddle;Password=s3cr3t;Database=x"));
        Assert.Equal("http://example.com:8080/x", SecretMasker.MaskVariable("UPSTREAM", "http://example.com:8080/x"));
        Assert.Equal("/usr/bin:/bin", SecretMasker.MaskVariable("PATH", "/usr/bin:/bin"));
    }
}

public sealed class ListeningPortsTests
{
    [Fact]
    public void Parse_ProcNetTcpAndTcp6_ListenRowsOnly()
    {
        const string tcp = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0
               1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2222 1 0000000000000000 100 0 0 10 0
               2: 0100007F:1F90 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 20 4 30 10 -1
            """;
        const string tcp6 = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000000000000000000000000000:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3333 1 0000000000000000 100 0 0 10 0
               1: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 100 0 0 10 0
               2: 0000000000000000FFFF00000100007F:0051 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5555 1 0000000000000000 100 0 0 10 0
            """;

        var v4 = ListeningPorts.Parse(tcp, "tcp").ToList();
        var v6 = ListeningPorts.Parse(tcp6, "tcp6").ToList();

        Assert.Equal([("127.0.0.1", 8080, 123456L), ("0.0.0.0", 22, 2222L)], v4.Select(s => (s.Address, s.Port, s.Inode)));
        Assert.Equal([("::", 5432), ("::1", 80), ("127.0.0.1", 81)], v6.Select(s => (s.Address, s.Port)));
    }

    [Fact]
    public void Read_RealProc_AListenerThisTestOpensShowsWithThisProcess()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var socket = Assert.Single(ListeningPorts.Read("/proc"), s => s.Port == port);

        Assert.Equal(("tcp", "127.0.0.1", Environment.ProcessId), (socket.Protocol, socket.Address, socket.Pid));
        Assert.False(string.IsNullOrEmpty(socket.Process));
    }
}

public sealed class ProcessTableTests
{
    [Fact]
    public void ParseStat_NameWithSpacesAndParentheses()
    {
        var stat = ProcessTable.ParseStat("4242 (my (odd) app) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 4 0 123456 1000000 500 18446744073709551615");

        Assert.Equal(("my (odd) app", "S", 300L, 123456L), stat);
        Assert.Null(ProcessTable.ParseStat("garbage"));
    }

    [Fact]
    public async Task Read_RealProc_ListsThisProcessWithMemory()
    {
        var processes = await ProcessTable.ReadAsync("/proc", TimeSpan.FromMilliseconds(100), TimeProvider.System, CancellationToken.None);

        var self = Assert.Single(processes, p => p.Pid == Environment.ProcessId);
        Assert.True(self.RssBytes > 10 << 20, self.ToString());
        Assert.InRange(self.MemoryPercent, 0.01, 100);
        Assert.Contains(processes, p => p.Pid == 1);
    }
}

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

public sealed class LogScannerTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"poddle-log-{Guid.NewGuid():N}.log");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void RecentProblems_LastErrorAndWarningLines_Masked()
    {
        var lines = new List<string> { "info: started" };
        for (var i = 0; i < 30; i++)
        {
            lines.Add($"info: tick {i}");
            lines.Add($"fail: Poddle.Agent[0] health check {i} failed");
        }

        lines.Add("warn: webhook http://bot:hunter2@hooks.local/x is down");
        lines.Add("info: all good");
        File.WriteAllLines(_path, lines);

        var problems = LogScanner.RecentProblems(_path, 3);

        Assert.Equal(["fail: Poddle.Agent[0] health check 28 failed", "fail: Poddle.Agent[0] health check 29 failed", "warn: webhook http://bot:****@hooks.local/x is down"], problems);
    }
}
