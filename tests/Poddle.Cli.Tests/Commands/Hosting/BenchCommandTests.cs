using System.Globalization;
using System.Text.Json;
using Poddle.Testing;

namespace Poddle.Cli.Tests.Commands.Hosting;

/// <summary>`poddle bench` as a real process against `poddle static` as another: JSON alone on stdout, the table, exit codes.</summary>
public sealed class BenchCommandTests : IDisposable
{
    private readonly string _site = Directory.CreateTempSubdirectory("poddle-bench-cli-").FullName;

    public BenchCommandTests()
    {
        File.WriteAllText(Path.Combine(_site, "index.html"), "<!doctype html><title>bench</title><script src=\"/app.1a2b3c4d.js\"></script>" + new string(' ', 2000));
        File.WriteAllText(Path.Combine(_site, "app.1a2b3c4d.js"), string.Concat(Enumerable.Repeat("console.log('bench');\n", 200)));
    }

    [Fact]
    public async Task AgainstStaticProcess_JsonAndTable()
    {
        var port = CliAppTests.ClosedPort();
        await using var server = PoddleProcess.Start(["static", _site, "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture)], new Dictionary<string, string?>());
        var url = $"http://127.0.0.1:{port}";
        using (var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) })
        {
            await StaticCommandTests.WaitForHealthAsync(http, server);
        }

        var json = await PoddleProcess.RunAsync(["bench", url, "-d", "1s", "-c", "1,2", "-n", "10", "--json"], new Dictionary<string, string?>());
        Assert.True(json.ExitCode == 0, json.ToString());
        using var document = JsonDocument.Parse(json.Stdout);
        var root = document.RootElement;
        Assert.Equal(10, root.GetProperty("health").GetProperty("requests").GetInt32());
        Assert.Equal("/app.1a2b3c4d.js", root.GetProperty("asset").GetProperty("path").GetString());
        Assert.Equal("public, max-age=31536000, immutable", root.GetProperty("asset").GetProperty("headers").GetProperty("cacheControl").GetString());
        Assert.Equal([1, 2], root.GetProperty("levels").EnumerateArray().Select(l => l.GetProperty("concurrency").GetInt32()));
        Assert.All(root.GetProperty("levels").EnumerateArray(), l => Assert.True(l.GetProperty("requests").GetInt64() > 0));
        Assert.Contains(server.Id, root.GetProperty("target").GetProperty("pids").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Contains("c=2:", json.Stderr, StringComparison.Ordinal);

        var table = await PoddleProcess.RunAsync(["bench", url, "-d", "1s", "-c", "2", "-n", "5"], new Dictionary<string, string?> { ["NO_COLOR"] = "1" });
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("req/s", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("/health.json", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("target: dotnet", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NothingListening_ExitsOne()
    {
        var run = await PoddleProcess.RunAsync(["bench", $"http://127.0.0.1:{CliAppTests.ClosedPort()}", "-d", "1s", "-c", "1", "-n", "3", "--json"], new Dictionary<string, string?>());
        Assert.Equal(1, run.ExitCode);
        using var document = JsonDocument.Parse(run.Stdout);
        Assert.Equal(3, document.RootElement.GetProperty("health").GetProperty("errors").GetInt32());
    }

    [Fact]
    public async Task BadConcurrency_IsAUsageError()
    {
        var run = await PoddleProcess.RunAsync(["bench", "http://127.0.0.1:1", "-c", "1,x"], new Dictionary<string, string?>());
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--concurrency", run.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_site, recursive: true);
}
