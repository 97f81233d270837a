using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

/// <summary>The execution API end to end: real HTTP, the real queue, the real sandbox (bubblewrap, cgroups, python3).</summary>
public sealed class ExecutionEndpointsTests(SharedServers servers) : IClassFixture<SharedServers>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static async Task<ExecutionResultResponse> RunAsync(HttpClient client, object request, string query = "")
    {
        var response = await client.PostAsJsonAsync("/api/execution/submit?wait=true" + query, request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ExecutionResultResponse>(Json))!;
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SubmitWait_HelloWorld_AnswersTheResult(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (client, _) = await server.CreateUserAsync("hello-" + provider.ToString().ToLowerInvariant());

        var result = await RunAsync(client, new { language = "python", code = "import sys\nprint('hello, world')\nprint('oops', file=sys.stderr)" });

        Assert.Equal(("completed", "ok", 0), (result.Status, result.Verdict, result.ExitCode));
        Assert.Equal("python", result.Language);
        Assert.Matches(@"^3\.\d+\.\d+$", result.Version);
        Assert.Equal("hello, world\n", result.Stdout);
        Assert.Equal("oops\n", result.Stderr);
        Assert.Equal("hello, world\noops\n", result.Output);
        Assert.Equal(result.WallMs, result.Time);
        Assert.True(result.MemoryKb > 0);
        Assert.Null(result.Signal);
        Assert.Equal("utf-8", result.Encoding);
        Assert.NotNull(result.StartedAt);
        Assert.True(result.CompletedAt >= result.StartedAt && result.StartedAt >= result.CreatedAt);
    }

    [Fact]
    public async Task Submit_WithoutWait_Is202ThenTheResultIsTheOwnersOnly()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        var (owner, _) = await server.CreateUserAsync("owner-of-run");
        var (other, _) = await server.CreateUserAsync("someone-else");

        var submitted = await owner.PostAsJsonAsync("/api/execution/submit", new { language = "py", code = "print(input()[::-1])", stdin = "abc\n" });

        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var accepted = (await submitted.Content.ReadFromJsonAsync<ExecutionSubmittedResponse>(Json))!;
        Assert.Equal("queued", accepted.Status);
        Assert.Equal($"/api/execution/result/{accepted.JobId}", submitted.Headers.Location!.OriginalString);
        ExecutionResultResponse? result = null;
        await Poll.UntilAsync(
            async () => (result = await owner.GetFromJsonAsync<ExecutionResultResponse>($"/api/execution/result/{accepted.JobId}", Json))?.Status is "completed" or "failed",
            "the execution finishes",
            TimeSpan.FromSeconds(10));

        Assert.Equal(("completed", "ok", "cba\n"), (result!.Status, result.Verdict, result.Stdout));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/execution/result/{accepted.JobId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.CreateClient().GetAsync($"/api/execution/result/{accepted.JobId}")).StatusCode);
    }

    [Fact]
    public async Task Output_InvalidUtf8AndNul_ReplacedInJsonAndExactInBase64()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        var (client, _) = await server.CreateUserAsync("bytes-user");
        var code = "import sys\nsys.stdout.buffer.write(b'\\xff\\x00ok\\xc3')";

        var text = await RunAsync(client, new { language = "python", code });
        var exact = await RunAsync(client, new { language = "python", code }, "&encoding=base64");

        Assert.Equal("\uFFFD\0ok\uFFFD", text.Stdout);
        Assert.Equal("base64", exact.Encoding);
        Assert.Equal(new byte[] { 0xff, 0x00, (byte)'o', (byte)'k', 0xc3 }, Convert.FromBase64String(exact.Stdout!));
        var again = await client.GetFromJsonAsync<ExecutionResultResponse>($"/api/execution/result/{exact.JobId}?encoding=base64", Json);
        Assert.Equal(exact.Stdout, again!.Stdout);
    }

    [Fact]
    public async Task Verdicts_HostileProgramsConcurrently_EachRightAndTheServerStaysResponsive()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        var (client, _) = await server.CreateUserAsync("verdicts-user");
        var tight = new { cpuMs = 1_000, wallMs = 3_000, memoryMb = 64 };

        var runs = new[]
        {
            RunAsync(client, new { language = "python", code = "x = bytearray(200 * 1024 * 1024)\nprint(len(x))", limits = tight }),
            RunAsync(client, new { language = "python", code = "while True: pass", limits = tight }),
            RunAsync(client, new { language = "python", code = "import time\ntime.sleep(60)", limits = tight }),
            RunAsync(client, new { language = "python", code = "import sys\nprint('bye')\nsys.exit(3)", limits = tight }),
            RunAsync(client, new { language = "python", code = "while True: print('x' * 1000)", limits = tight }),
            RunAsync(client, new { language = "python", code = "import os\nwhile True:\n    try: os.fork()\n    except OSError: pass", limits = tight }),
        };
        var health = new List<HttpStatusCode>();
        while (!Task.WhenAll(runs).IsCompleted)
        {
            using var probe = server.CreateClient();
            health.Add((await probe.GetAsync("/healthz")).StatusCode);
            // The probe's sampling rate while the runs go on, not a wait for a condition: the runs' end ends the loop.
            await Task.Delay(100);
        }

        var results = await Task.WhenAll(runs);
        Assert.Equal("memory_limit_exceeded", results[0].Verdict);
        Assert.Equal("time_limit_exceeded", results[1].Verdict);
        Assert.Equal("time_limit_exceeded", results[2].Verdict);
        Assert.Equal(("runtime_error", 3, "bye\n"), (results[3].Verdict, results[3].ExitCode, results[3].Stdout));
        Assert.Equal("output_limit_exceeded", results[4].Verdict);
        Assert.True(results[4].StdoutTruncated);
        Assert.Equal(64 * 1024, Encoding.UTF8.GetByteCount(results[4].Stdout!));
        Assert.Contains(results[5].Verdict, new[] { "time_limit_exceeded", "memory_limit_exceeded" });
        Assert.All(health, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.NotEmpty(health);
    }

    [Fact]
    public async Task Submit_BadInput_ProblemNamesTheField()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        var (client, _) = await server.CreateUserAsync("bad-input-user");

        var unknown = await client.PostAsJsonAsync("/api/execution/submit", new { language = "cobol", code = "x" });
        var tooBig = await client.PostAsJsonAsync("/api/execution/submit", new { language = "python", code = new string('#', 70_000) });
        var limits = await client.PostAsJsonAsync("/api/execution/submit", new { language = "python", code = "x", limits = new { cpuMs = 10_000_000 } });
        var encoding = await client.PostAsJsonAsync("/api/execution/submit?encoding=latin1", new { language = "python", code = "x" });
        var network = await client.PostAsync("/api/execution/submit", new StringContent("{\"language\":\"python\",\"code\":\"x\",\"network\":true}", Encoding.UTF8, "application/json"));
        var anonymous = await server.CreateClient().PostAsJsonAsync("/api/execution/submit", new { language = "python", code = "x" });

        await AssertProblemAsync(unknown, HttpStatusCode.BadRequest, "language");
        await AssertProblemAsync(tooBig, HttpStatusCode.RequestEntityTooLarge, "code");
        await AssertProblemAsync(limits, HttpStatusCode.BadRequest, "limits.cpuMs");
        await AssertProblemAsync(encoding, HttpStatusCode.BadRequest, "encoding");
        Assert.Equal(HttpStatusCode.Accepted, network.StatusCode); // unknown fields are ignored: network is server policy
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task Stdin_OneMebibyte_IsAcceptedAndBeyondIs413()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        var (client, _) = await server.CreateUserAsync("stdin-user");

        var fits = await RunAsync(client, new { language = "python", code = "import sys\nprint(len(sys.stdin.buffer.read()))", stdin = new string('a', 1024 * 1024) });
        var beyond = await client.PostAsJsonAsync("/api/execution/submit", new { language = "python", code = "x", stdin = new string('a', 1024 * 1024 + 1) });

        Assert.Equal(("ok", "1048576\n"), (fits.Verdict, fits.Stdout));
        await AssertProblemAsync(beyond, HttpStatusCode.RequestEntityTooLarge, "stdin");
    }

    [Fact]
    public async Task Runtimes_ListsPythonWithItsVersion_Anonymously()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);

        var runtimes = await server.CreateClient().GetFromJsonAsync<List<RuntimeResponse>>("/api/execution/runtimes", Json);

        var python = Assert.Single(runtimes!, r => r.Language == "python");
        Assert.Matches(@"^3\.\d+\.\d+$", python.Version);
        Assert.Contains("py", python.Aliases);
        Assert.False(python.Compiled);
    }

    [Fact]
    public async Task QueueStats_ShowRecentRunsPoolsAndIsolation()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        var (client, _) = await server.CreateUserAsync("stats-user");
        await RunAsync(client, new { language = "python", code = "print(1)" });

        var stats = (await client.GetFromJsonAsync<ExecutionQueueStatsResponse>("/api/execution/queue/stats", Json))!;

        Assert.True(stats.CompletedLastMinute >= 1);
        Assert.NotNull(stats.RunP50Ms);
        Assert.NotNull(stats.WaitP95Ms);
        Assert.Contains(stats.Pools, p => p.Language == "python" && p.Hits + p.Misses >= 1);
        Assert.Equal("full", stats.Isolation);
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Matches("poddle_executions_completed[^\n]*language=\"python\"", metrics);
        Assert.Contains("poddle_executions_warm_pool_hits", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_BeyondThePerMinuteLimit_Is429WithRetryAfter()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite, new Dictionary<string, string?> { ["Execution:RateLimit:PerMinute"] = "2" });
        var (client, _) = await server.CreateUserAsync("limited-user");

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/execution/submit", new { language = "python", code = "print(1)" })).StatusCode);
        }

        var third = await client.PostAsJsonAsync("/api/execution/submit", new { language = "python", code = "print(1)" });

        await AssertProblemAsync(third, HttpStatusCode.TooManyRequests, null);
        Assert.InRange(int.Parse(third.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
    }

    [Fact]
    public async Task Submit_QueueFull_Is503WithRetryAfter()
    {
        // No execution workers here, so the first program stays queued and the queue is full.
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["Execution:Concurrency"] = "0",
            ["Execution:MaxQueueDepth"] = "1",
        });
        var (client, _) = await server.CreateUserAsync("queue-user");

        var first = await client.PostAsJsonAsync("/api/execution/submit", new { language = "python", code = "print(1)" });
        var second = await client.PostAsJsonAsync("/api/execution/submit", new { language = "python", code = "print(2)" });

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        await AssertProblemAsync(second, HttpStatusCode.ServiceUnavailable, null);
        Assert.Equal("5", second.Headers.GetValues("Retry-After").Single());
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? field)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("urn:poddle:problem:", json.RootElement.GetProperty("type").GetString(), StringComparison.Ordinal);
        if (field is not null)
        {
            Assert.True(json.RootElement.GetProperty("errors").TryGetProperty(field, out _), $"errors has no '{field}': {json.RootElement}");
        }
    }
}
