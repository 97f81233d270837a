using System.Globalization;
using System.Net;
using Poddle.Testing;

namespace Poddle.Cli.Tests.Commands.Hosting;

/// <summary>`poddle static` as a real process: serves a site, honours $PORT, stops on SIGTERM with exit 0, refuses a bad directory.</summary>
public sealed class StaticCommandTests : IDisposable
{
    private readonly string _site = Directory.CreateTempSubdirectory("poddle-static-cli-").FullName;

    public StaticCommandTests()
    {
        File.WriteAllText(Path.Combine(_site, "index.html"), "<!doctype html><title>cli site</title><script src=\"/app.1a2b3c4d.js\"></script>");
        File.WriteAllText(Path.Combine(_site, "app.1a2b3c4d.js"), string.Concat(Enumerable.Repeat("console.log('poddle static');\n", 100)));
    }

    [Fact]
    public async Task Serves_LogsAccess_StopsGracefullyOnSigterm()
    {
        var port = CliAppTests.ClosedPort();
        await using var server = PoddleProcess.Start(["static", _site, "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--access-log"], new Dictionary<string, string?>());
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        await WaitForHealthAsync(http, server);

        Assert.Contains("cli site", await http.GetStringAsync(new Uri("/", UriKind.Relative)), StringComparison.Ordinal);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/some/route");
        request.Headers.TryAddWithoutValidation("Accept", "text/html");
        using var fallback = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, fallback.StatusCode);
        using var missing = await http.GetAsync(new Uri("/missing.js", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", server.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Matches(@"127\.0\.0\.1 - - \[[^\]]+\] ""GET / HTTP/1\.1"" 200 \d+", server.Stdout);
        Assert.Contains("\"GET /missing.js HTTP/1.1\" 404", server.Stdout, StringComparison.Ordinal);
        Assert.Contains("Serving", server.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PortVariable_IsUsedWithoutPortOption()
    {
        var port = CliAppTests.ClosedPort();
        await using var server = PoddleProcess.Start(["static", _site, "--host", "127.0.0.1"], new Dictionary<string, string?> { ["PORT"] = port.ToString(CultureInfo.InvariantCulture) });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        await WaitForHealthAsync(http, server);
    }

    [Fact]
    public async Task MissingDirectory_ExitsOneWithTheReason()
    {
        var missing = Path.Combine(_site, "does-not-exist");
        var run = await PoddleProcess.RunAsync(["static", missing, "--port", "0"], new Dictionary<string, string?>());
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("does not exist", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PortInUse_FailsOnceWithAClearMessage_NoStackTrace()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Any, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var run = await PoddleProcess.RunAsync(["static", _site, "--port", port.ToString(CultureInfo.InvariantCulture)], new Dictionary<string, string?>());

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"port {port} is already in use", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--port", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, run.Stderr.Split("already in use").Length - 1);
    }

    [Fact]
    public void DefaultPort_IsNotTheServersPort()
    {
        Assert.NotEqual(Poddle.Agent.Static.StaticSiteOptions.DefaultPort, new Uri(Poddle.Server.Hosting.PoddleServer.DefaultUrls).Port);
        Assert.NotEqual(Poddle.Agent.Static.StaticSiteOptions.DefaultPort, new Uri(GlobalOptions.DefaultServer).Port);
    }

    public void Dispose() => Directory.Delete(_site, recursive: true);

    internal static Task WaitForHealthAsync(HttpClient http, PoddleProcess server) =>
        Poll.UntilAsync(
            async () =>
            {
                Assert.False(server.HasExited, $"poddle static exited: {server.Stderr}");
                try
                {
                    return await http.GetStringAsync(new Uri("/health.json", UriKind.Relative)) == """{"status":"healthy"}""";
                }
                catch (HttpRequestException)
                {
                    return false; // Not listening yet.
                }
            },
            "poddle static answers healthy",
            TimeSpan.FromSeconds(60),
            () => Task.FromResult($"stderr: {server.Stderr}"));
}
