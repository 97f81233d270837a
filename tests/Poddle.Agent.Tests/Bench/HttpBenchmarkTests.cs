using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Poddle.Agent.Bench;
using Poddle.Agent.Static;
using Poddle.Agent.Tests.Static;

namespace Poddle.Agent.Tests.Bench;

/// <summary>`poddle bench` against real servers on loopback: `poddle static`, one that answers 500, and none at all.</summary>
public sealed class HttpBenchmarkTests
{
    [Fact]
    public async Task AgainstStaticSite_MeasuresEveryPhase_ChecksHeaders_FindsTheTarget()
    {
        using var site = new TestSite();
        await using var server = await StaticSiteServerTests.StartAsync(new StaticSiteOptions { Root = site.Root, Host = "127.0.0.1", Port = 0 });
        var progress = new List<BenchProgress>();
        var options = new BenchOptions
        {
            Url = server.Addresses.Single(),
            Duration = TimeSpan.FromSeconds(1),
            Concurrency = [1, 4],
            Samples = 30,
            Warmup = TimeSpan.FromMilliseconds(200),
        };

        var report = await new HttpBenchmark(options, new SyncProgress(progress)).RunAsync(CancellationToken.None);

        Assert.Equal(30, report.Health.Requests);
        Assert.Equal(0, report.Health.Errors);
        Assert.Equal(200, report.Health.Status);
        AssertSane(report.Health.LatencyMs);

        Assert.Equal("/", report.Page.Path);
        Assert.Equal(0, report.Page.Errors);
        Assert.True(report.Page.Headers!.Compressed);
        Assert.Equal("br", report.Page.Headers.ContentEncoding);
        Assert.Equal("no-cache", report.Page.Headers.CacheControl);
        Assert.True(report.Page.Headers.Cacheable);
        Assert.True(report.Page.Headers.Validator);

        // Found in the page's <script src>.
        Assert.Equal("/assets/app.3f2a9c1b.js", report.Asset!.Path);
        Assert.True(report.Asset.Headers!.Compressed);
        Assert.Equal("public, max-age=31536000, immutable", report.Asset.Headers.CacheControl);
        AssertSane(report.Asset.LatencyMs);

        Assert.Equal([1, 4], report.Levels.Select(l => l.Concurrency));
        foreach (var level in report.Levels)
        {
            Assert.True(level.Requests > 10, $"c={level.Concurrency}: {level.Requests} requests");
            Assert.Equal(0, level.Errors);
            Assert.Equal(level.Requests, level.StatusCodes["200"]);
            Assert.InRange(level.Seconds, 0.9, 5);
            Assert.InRange(level.RequestsPerSecond, level.Requests / level.Seconds * 0.99, level.Requests / level.Seconds * 1.01);
            AssertSane(level.LatencyMs);

            // The server runs in this test process: its CPU and memory are this process's.
            Assert.NotNull(level.Target);
            Assert.True(level.Target.RssMbMax > 10, $"RSS {level.Target.RssMbMax} MB");
            Assert.True(level.Target.Samples >= 2);
        }

        Assert.Contains(Environment.ProcessId, report.Target!.Pids);
        Assert.Null(report.TargetNote);
        Assert.Contains(progress, p => p.Phase == "c=4" && p.Fraction >= 1);
        Assert.Contains(progress, p => p.Phase == "health" && p.Fraction == 0);
    }

    [Fact]
    public async Task ServerAnswering500_EveryRequestIsAnError()
    {
        await using var app = await StartFailingServerAsync();
        var report = await new HttpBenchmark(new BenchOptions
        {
            Url = new Uri(app.Urls.Single()),
            Duration = TimeSpan.FromMilliseconds(700),
            Concurrency = [2],
            Samples = 10,
            Warmup = TimeSpan.Zero,
        }).RunAsync(CancellationToken.None);

        Assert.Equal(10, report.Health.Errors);
        Assert.Equal(500, report.Health.Status);
        Assert.Equal("HTTP 500", report.Health.Error);
        Assert.Equal(10, report.Page.Errors);
        Assert.Null(report.Asset);
        var level = Assert.Single(report.Levels);
        Assert.True(level.Requests > 0);
        Assert.Equal(level.Requests, level.Errors);
        Assert.Equal(level.Requests, level.StatusCodes["500"]);
        AssertSane(level.LatencyMs);
    }

    [Fact]
    public async Task ServerDown_RequestsAreErrors_NoException()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var report = await new HttpBenchmark(new BenchOptions
        {
            Url = new Uri($"http://127.0.0.1:{port}/"),
            Duration = TimeSpan.FromMilliseconds(500),
            Concurrency = [1, 3],
            Samples = 5,
            Warmup = TimeSpan.Zero,
        }).RunAsync(CancellationToken.None);

        Assert.Equal(5, report.Health.Errors);
        Assert.Null(report.Health.Status);
        Assert.Equal("ConnectionError", report.Health.Error);
        Assert.Null(report.Page.Headers);
        Assert.Null(report.Target);
        Assert.Contains($"port {port}", report.TargetNote, StringComparison.Ordinal);
        foreach (var level in report.Levels)
        {
            Assert.True(level.Requests > 0);
            Assert.Equal(level.Requests, level.Errors);
            Assert.Equal(level.Requests, level.StatusCodes["error"]);

            // The pause after a refused connection bounds the error rate (10 ms per client).
            Assert.True(level.RequestsPerSecond < level.Concurrency * 150, $"{level.RequestsPerSecond} failing requests/s");
        }
    }

    [Fact]
    public async Task Json_HasTheDocumentedShape()
    {
        using var site = new TestSite();
        await using var server = await StaticSiteServerTests.StartAsync(new StaticSiteOptions { Root = site.Root, Host = "127.0.0.1", Port = 0 });
        var report = await new HttpBenchmark(new BenchOptions
        {
            Url = server.Addresses.Single(),
            Duration = TimeSpan.FromMilliseconds(300),
            Concurrency = [2],
            Samples = 5,
            Warmup = TimeSpan.Zero,
            AssetPath = "/assets/logo.png",
        }).RunAsync(CancellationToken.None);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(report, BenchJsonContext.Default.BenchReport));
        var root = json.RootElement;
        Assert.Equal(server.Addresses.Single().ToString(), root.GetProperty("url").GetString());
        Assert.True(root.GetProperty("durationSeconds").GetDouble() > 0);
        foreach (var probe in new[] { "health", "page", "asset" })
        {
            var element = root.GetProperty(probe);
            Assert.Equal(5, element.GetProperty("requests").GetInt32());
            Assert.Equal(0, element.GetProperty("errors").GetInt32());
            foreach (var percentile in new[] { "min", "mean", "p50", "p95", "p99", "max" })
            {
                Assert.Equal(JsonValueKind.Number, element.GetProperty("latencyMs").GetProperty(percentile).ValueKind);
            }
        }

        var asset = root.GetProperty("asset");
        Assert.Equal("/assets/logo.png", asset.GetProperty("path").GetString());
        Assert.False(asset.GetProperty("headers").GetProperty("compressed").GetBoolean());
        Assert.Equal("public, max-age=3600", asset.GetProperty("headers").GetProperty("cacheControl").GetString());
        var level = root.GetProperty("levels")[0];
        Assert.Equal(2, level.GetProperty("concurrency").GetInt32());
        Assert.True(level.GetProperty("requestsPerSecond").GetDouble() > 0);
        Assert.True(level.GetProperty("statusCodes").GetProperty("200").GetInt64() > 0);
        Assert.True(level.GetProperty("target").GetProperty("rssMbMax").GetDouble() > 0);
        Assert.Contains(Environment.ProcessId, root.GetProperty("target").GetProperty("pids").EnumerateArray().Select(p => p.GetInt32()));
    }

    [Fact]
    public async Task PageRedirectingWithinTheTarget_IsMeasuredWhereItLeads()
    {
        await using var app = await StartAsync(context => context.Request.Path.Value switch
        {
            "/" => Redirect(context, "/docs"),
            "/docs" => Redirect(context, "/docs/index.html"),
            "/docs/app.js" => context.Response.WriteAsync("console.log('docs')"),
            _ => context.Response.WriteAsync("<html><script src=\"app.js\"></script>docs</html>"),
        });
        var progress = new List<BenchProgress>();

        var report = await new HttpBenchmark(
            new BenchOptions { Url = new Uri(app.Urls.Single() + "/"), Duration = TimeSpan.FromMilliseconds(300), Concurrency = [1], Samples = 5, Warmup = TimeSpan.Zero },
            new SyncProgress(progress)).RunAsync(CancellationToken.None);

        Assert.Equal("/docs/index.html", report.Page.Path);
        Assert.Equal(0, report.Page.Errors);
        Assert.Equal(200, report.Page.Status);
        Assert.Equal([new BenchRedirect("/", 302, "/docs"), new BenchRedirect("/docs", 302, "/docs/index.html")], report.Redirects);
        Assert.Equal("/docs/index.html", Assert.Single(report.Levels).Path);
        Assert.Equal("/docs/app.js", report.Asset!.Path); // relative to the page it was found on
        Assert.Equal(0, report.Asset.Errors);
        Assert.Equal(["200"], report.Levels[0].StatusCodes.Keys);
        Assert.Contains("/ redirects (302 /docs → 302 /docs/index.html): measuring /docs/index.html", report.PageNote, StringComparison.Ordinal);
        Assert.Contains(progress, p => p.Phase == "page" && p.Detail == report.PageNote);
        Assert.Contains(progress, p => p.Phase == "plan" && p.Detail.Contains("at most about", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PageRedirectingToAnotherOrigin_IsNotFollowed_AndTheNoteSaysWhatToBench()
    {
        await using var app = await StartAsync(context => Redirect(context, "https://example.test/login"));

        var report = await new HttpBenchmark(new BenchOptions
        {
            Url = new Uri(app.Urls.Single() + "/"),
            Duration = TimeSpan.FromMilliseconds(200),
            Concurrency = [1],
            Samples = 3,
            Warmup = TimeSpan.Zero,
        }).RunAsync(CancellationToken.None);

        Assert.Equal("/", report.Page.Path);
        Assert.Equal(302, report.Page.Status);
        Assert.Empty(report.Redirects!);
        Assert.Contains("redirects (302) to https://example.test/login, another origin", report.PageNote, StringComparison.Ordinal);
        Assert.Contains("poddle bench https://example.test/login", report.PageNote, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowTarget_EachProbeStopsAtItsBudget()
    {
        await using var app = await StartAsync(async context =>
        {
            // The slow target under test: it answers after 200 ms of real time, which the probes' budget must cut.
            await Task.Delay(200, context.RequestAborted);
            await context.Response.WriteAsync("slow");
        });

        var report = await new HttpBenchmark(new BenchOptions
        {
            Url = new Uri(app.Urls.Single() + "/"),
            Duration = TimeSpan.FromMilliseconds(200),
            Concurrency = [1],
            Samples = 1000,
            ProbeBudget = TimeSpan.FromSeconds(1),
            Warmup = TimeSpan.Zero,
        }).RunAsync(CancellationToken.None);

        Assert.InRange(report.Health.Requests, 1, 20);
        Assert.InRange(report.Page.Requests, 1, 20);
        Assert.Equal(0, report.Page.Errors);
    }

    [Theory]
    [InlineData("public, max-age=31536000, immutable", false, true)]
    [InlineData("no-cache", true, true)]
    [InlineData("no-cache", false, false)]
    [InlineData("no-store", true, false)]
    [InlineData("max-age=0", true, false)]
    [InlineData(null, true, false)]
    public void IsCacheable(string? cacheControl, bool validator, bool expected) =>
        Assert.Equal(expected, HttpBenchmark.IsCacheable(cacheControl, validator));

    private static void AssertSane(BenchLatency? latency)
    {
        Assert.NotNull(latency);
        Assert.True(latency.Min > 0);
        Assert.True(latency.Min <= latency.P50 && latency.P50 <= latency.P95 && latency.P95 <= latency.P99 && latency.P99 <= latency.Max, latency.ToString());
        Assert.InRange(latency.Mean, latency.Min, latency.Max);
        Assert.True(latency.P50 < 1000, latency.ToString());
    }

    private static async Task<WebApplication> StartAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        return app;
    }

    private static Task Redirect(HttpContext context, string location)
    {
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = location;
        return Task.CompletedTask;
    }

    private static async Task<WebApplication> StartFailingServerAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return context.Response.WriteAsync("<html><script src=\"/app.js\"></script></html>");
        });
        await app.StartAsync();
        return app;
    }

    /// <summary>Records reports on the reporting thread (<see cref="Progress{T}"/> would post them later, out of order).</summary>
    private sealed class SyncProgress(List<BenchProgress> reports) : IProgress<BenchProgress>
    {
        public void Report(BenchProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
