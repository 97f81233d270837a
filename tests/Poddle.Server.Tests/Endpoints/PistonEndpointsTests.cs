using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Executions;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Execution;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

/// <summary>One server per provider with the scripted executor, anonymous Piston use off, generous rate limits.</summary>
public sealed class PistonServers : IAsyncDisposable
{
    private readonly ConcurrentDictionary<DatabaseProvider, Lazy<Task<(TestServer, ScriptedCodeExecutor)>>> _servers = new();

    public Task<(TestServer Server, ScriptedCodeExecutor Executor)> GetAsync(DatabaseProvider provider) =>
        _servers.GetOrAdd(provider, p => new Lazy<Task<(TestServer, ScriptedCodeExecutor)>>(() => PistonEndpointsTests.StartAsync(p))).Value;

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers.Values)
        {
            await (await server.Value).Item1.DisposeAsync();
        }
    }
}

public sealed class PistonEndpointsTests(PistonServers servers) : IClassFixture<PistonServers>
{
    public static async Task<(TestServer, ScriptedCodeExecutor)> StartAsync(DatabaseProvider provider, IDictionary<string, string?>? extra = null)
    {
        var executor = new ScriptedCodeExecutor();
        var settings = new Dictionary<string, string?>
        {
            ["Execution:RateLimit:PerMinute"] = "1000",
            ["Execution:RateLimit:PerHour"] = "10000",
            ["Execution:RateLimit:PerDay"] = "100000",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var server = await TestServer.StartAsync(provider, settings, b => b.Services.AddSingleton<ICodeExecutor>(executor));
        return (server, executor);
    }

    private static StringContent Json(JsonNode body, string mediaType = "application/json") => new(body.ToJsonString(), Encoding.UTF8, mediaType);

    private static JsonObject Python(string code = "print(input())", string version = "3.11.2", string language = "python") =>
        new() { ["language"] = language, ["version"] = version, ["files"] = new JsonArray(new JsonObject { ["content"] = code }) };

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    private static async Task<string> ExpectBadRequestAsync(HttpClient client, HttpContent body)
    {
        var response = await client.PostAsync("/api/v2/execute", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await ReadAsync(response);
        Assert.Equal(400, (int)problem["status"]!);
        Assert.StartsWith("urn:poddle:problem:", (string)problem["type"]!, StringComparison.Ordinal);
        Assert.Equal((string)problem["detail"]!, (string)problem["message"]!);
        return (string)problem["message"]!;
    }

    [Fact]
    public async Task Runtimes_ArePistonShaped_AndNeedNoToken()
    {
        var (server, _) = await servers.GetAsync(DatabaseProvider.Sqlite);
        using var client = server.CreateClient();

        var runtimes = JsonNode.Parse(await client.GetStringAsync("/api/v2/runtimes"))!.AsArray();

        var python = runtimes.Single(r => (string)r!["language"]! == "python")!;
        Assert.Equal("3.11.2", (string)python["version"]!);
        Assert.Equal(["py", "python3"], python["aliases"]!.AsArray().Select(a => (string)a!));
        Assert.Contains(runtimes, r => (string)r!["language"]! == "c" && (string)r["version"]! == "12.2.0");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Execute_RunsThroughTheQueue_AndAnswersPistonsShape(DatabaseProvider provider)
    {
        var (server, executor) = await servers.GetAsync(provider);
        executor.Behaviour = ScriptedCodeExecutor.Default;
        var (client, _) = await server.CreateUserAsync("piston-" + provider.ToString().ToLowerInvariant());
        var body = Python(language: "py", version: "3.x");
        body["stdin"] = "hello";
        body["args"] = new JsonArray("a", "b");

        var response = await client.PostAsync("/api/v2/execute", Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await ReadAsync(response);
        Assert.Equal("python", (string)result["language"]!);
        Assert.Equal("3.11.2", (string)result["version"]!);
        Assert.False(result.ContainsKey("compile"));
        var run = result["run"]!.AsObject();
        Assert.Equal("hello\n", (string)run["stdout"]!); // Piston ends stdin with a newline
        Assert.Equal("", (string)run["stderr"]!);
        Assert.Equal("hello\n", (string)run["output"]!);
        Assert.Equal(0, (int)run["code"]!);
        foreach (var field in new[] { "signal", "message", "status" })
        {
            Assert.True(run.ContainsKey(field), field);
            Assert.Null(run[field]);
        }

        Assert.Equal(12, (long)run["wall_time"]!);
        Assert.Equal(10, (long)run["cpu_time"]!);
        Assert.Equal(9_800 * 1024, (long)run["memory"]!);

        var request = executor.Requests.Last();
        Assert.Equal("main.py", request.Files[0].Name);
        Assert.Equal(["a", "b"], request.Args!);
        await using var db = server.Database.CreateContext();
        var stored = await db.Set<Execution>().AsNoTracking().OrderByDescending(e => e.CreatedAt).FirstAsync();
        Assert.Equal("piston", stored.Source);
        Assert.NotNull(stored.OwnerId);
    }

    [Fact]
    public async Task Execute_CompileError_RepeatsTheCompileStageAsRun()
    {
        var (server, executor) = await servers.GetAsync(DatabaseProvider.Sqlite);
        executor.Behaviour = ScriptedCodeExecutor.Default;
        var (client, _) = await server.CreateUserAsync("piston-cc");

        var ok = await ReadAsync(await client.PostAsync("/api/v2/execute", Json(Python("int main(){return 0;}", "*", "c"))));
        Assert.Equal("compiled\n", (string)ok["run"]!["stdout"]!);
        Assert.Equal(0, (int)ok["compile"]!["code"]!);

        var failed = await ReadAsync(await client.PostAsync("/api/v2/execute", Json(Python("syntax error", "12", "gcc"))));
        Assert.Equal("c", (string)failed["language"]!);
        Assert.Equal("RE", (string)failed["compile"]!["status"]!);
        Assert.Equal(1, (int)failed["compile"]!["code"]!);
        Assert.Contains("error: expected ';'", (string)failed["compile"]!["stderr"]!, StringComparison.Ordinal);
        Assert.Equal(failed["compile"]!.ToJsonString(), failed["run"]!.ToJsonString());
    }

    [Fact]
    public async Task Execute_MatchesVersionSelectors_AsPistonDoes()
    {
        var (server, executor) = await servers.GetAsync(DatabaseProvider.Sqlite);
        executor.Behaviour = ScriptedCodeExecutor.Default;
        var (client, _) = await server.CreateUserAsync("piston-semver");

        foreach (var selector in new[] { "3.11.2", "3.x", "3.11.x", "3", "3.11", "*", "x", ">=3.10 <3.12", "^3.9", "~3.11.0", "3.8 - 3.11", "2.x || 3.x", "v3.11.2" })
        {
            var response = await client.PostAsync("/api/v2/execute", Json(Python(version: selector)));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{selector}: {response.StatusCode}");
        }

        foreach (var selector in new[] { "3.10.x", "4", "<3.11", "^3.12", "~3.10", "3.11.3", "latest" })
        {
            Assert.Equal($"python-{selector} runtime is unknown", await ExpectBadRequestAsync(client, Json(Python(version: selector))));
        }

        Assert.Equal("cobol-* runtime is unknown", await ExpectBadRequestAsync(client, Json(Python(language: "cobol", version: "*"))));
    }

    [Fact]
    public async Task Execute_DecodesBase64AndHexFiles_AndTheFirstUtf8FileIsTheEntryPoint()
    {
        var (server, executor) = await servers.GetAsync(DatabaseProvider.Sqlite);
        executor.Behaviour = ScriptedCodeExecutor.Default;
        var (client, _) = await server.CreateUserAsync("piston-files");
        var data = new byte[] { 0, 1, 2, 0xff, 0xfe };
        var body = Python();
        body["files"] = new JsonArray(
            new JsonObject { ["name"] = "data.bin", ["content"] = Convert.ToBase64String(data), ["encoding"] = "base64" },
            new JsonObject { ["name"] = "app.py", ["content"] = "print(open('data.bin','rb').read())", ["encoding"] = "utf8" },
            new JsonObject { ["name"] = "more.bin", ["content"] = Convert.ToHexString(data), ["encoding"] = "hex" });

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v2/execute", Json(body))).StatusCode);

        var files = executor.Requests.Last().Files;
        Assert.Equal(["app.py", "data.bin", "more.bin"], files.Select(f => f.Name));
        Assert.Equal(data, files[1].Content.ToArray());
        Assert.Equal(data, files[2].Content.ToArray());

        body["files"] = new JsonArray(new JsonObject { ["content"] = Convert.ToBase64String(data), ["encoding"] = "base64" });
        Assert.Equal("files must include at least one utf8 encoded file", await ExpectBadRequestAsync(client, Json(body)));
        body["files"] = new JsonArray(new JsonObject { ["content"] = "print(1)" }, new JsonObject { ["content"] = "zz", ["encoding"] = "hex" });
        Assert.Equal("files[1].content is not valid hex", await ExpectBadRequestAsync(client, Json(body)));
    }

    [Fact]
    public async Task Execute_MinusOneAndAbsentLimitsTakeTheDefaults_OthersAreConvertedAndCapped()
    {
        var (server, executor) = await servers.GetAsync(DatabaseProvider.Sqlite);
        executor.Behaviour = ScriptedCodeExecutor.Default;
        var (client, _) = await server.CreateUserAsync("piston-limits");

        var body = Python();
        body["run_memory_limit"] = -1;
        body["compile_memory_limit"] = -1;
        body["run_timeout"] = -1;
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v2/execute", Json(body))).StatusCode);
        Assert.Equal(new ExecutionLimits(5_000, 10_000, 128), executor.Requests.Last().RunLimits);

        body["run_timeout"] = 2500;
        body["run_cpu_time"] = 1500;
        body["run_memory_limit"] = 64 * 1024 * 1024;
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v2/execute", Json(body))).StatusCode);
        Assert.Equal(new ExecutionLimits(1_500, 2_500, 64), executor.Requests.Last().RunLimits);

        var c = Python("int main(){}", "*", "c");
        c["compile_timeout"] = 10000;
        c["compile_memory_limit"] = -1;
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v2/execute", Json(c))).StatusCode);
        Assert.Equal(new ExecutionLimits(5_000, 10_000, 128), executor.Requests.Last().CompileLimits);

        body["run_memory_limit"] = 1024L * 1024 * 1024;
        Assert.Equal($"run_memory_limit cannot exceed the configured limit of {512L * 1024 * 1024}", await ExpectBadRequestAsync(client, Json(body)));
        body["run_memory_limit"] = -1;
        body["run_timeout"] = 60_000;
        Assert.Equal("run_timeout cannot exceed the configured limit of 30000", await ExpectBadRequestAsync(client, Json(body)));
        body["run_timeout"] = -5;
        Assert.Equal("run_timeout must be non-negative", await ExpectBadRequestAsync(client, Json(body)));
    }

    [Fact]
    public async Task Execute_ReadsJsonWhateverTheContentType()
    {
        var (server, executor) = await servers.GetAsync(DatabaseProvider.Sqlite);
        executor.Behaviour = ScriptedCodeExecutor.Default;
        var (client, _) = await server.CreateUserAsync("piston-ctype");

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v2/execute", Json(Python(), "text/plain"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v2/execute", Json(Python(), "application/x-www-form-urlencoded"))).StatusCode); // curl -d
        var bare = new ByteArrayContent(Encoding.UTF8.GetBytes(Python().ToJsonString()));
        Assert.Null(bare.Headers.ContentType);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v2/execute", bare)).StatusCode);
    }

    [Fact]
    public async Task Execute_BadInput_Is400WithPistonsMessage()
    {
        var (server, _) = await servers.GetAsync(DatabaseProvider.Sqlite);
        var (client, _) = await server.CreateUserAsync("piston-bad");
        StringContent Raw(string json) => new(json, Encoding.UTF8, "application/json");

        Assert.Equal("language is required as a string", await ExpectBadRequestAsync(client, Raw("""{"version":"*","files":[]}""")));
        Assert.Equal("language is required as a string", await ExpectBadRequestAsync(client, Raw("""{"language":3,"version":"*","files":[]}""")));
        Assert.Equal("language is required as a string", await ExpectBadRequestAsync(client, Raw("")));
        Assert.Equal("files is required as an array", await ExpectBadRequestAsync(client, Raw("""{"language":"python","version":"*"}""")));
        Assert.Equal("files is required as an array", await ExpectBadRequestAsync(client, Raw("""{"language":"python","version":"*","files":"x"}""")));
        Assert.Equal("files[0].content is required as a string", await ExpectBadRequestAsync(client, Raw("""{"language":"python","version":"*","files":[{"name":"a"}]}""")));
        Assert.Equal("files[0].content is required as a string", await ExpectBadRequestAsync(client, Raw("""{"language":"python","version":"*","files":[{"content":5}]}""")));
        Assert.Equal("The body is not valid JSON.", await ExpectBadRequestAsync(client, Raw("{not json")));
        Assert.Contains("empty", await ExpectBadRequestAsync(client, Raw("""{"language":"python","version":"*","files":[{"content":""}]}""")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_MapsVerdictsToPistonsStatusCodes()
    {
        var (server, executor) = await servers.GetAsync(DatabaseProvider.Sqlite);
        var (client, _) = await server.CreateUserAsync("piston-status");
        var cases = new (StepResult Step, string Status, string? Signal)[]
        {
            (new(ExecutionVerdict.RuntimeError, 3, null, 1, 1, 1, [], [], false, false), "RE", null),
            (new(ExecutionVerdict.RuntimeError, null, "SIGSEGV", 1, 1, 1, [], [], false, false), "SG", "SIGSEGV"),
            (new(ExecutionVerdict.TimeLimitExceeded, null, "SIGKILL", 5000, 5001, 1, [], [], false, false), "TO", "SIGKILL"),
            (new(ExecutionVerdict.MemoryLimitExceeded, null, "SIGKILL", 1, 1, 1, [], [], false, false), "SG", "SIGKILL"),
            (new(ExecutionVerdict.OutputLimitExceeded, null, null, 1, 1, 1, [], [], true, false), "OL", "SIGKILL"),
            (new(ExecutionVerdict.OutputLimitExceeded, null, null, 1, 1, 1, [], [], false, true), "EL", "SIGKILL"),
            (new(ExecutionVerdict.InternalError, null, null, 0, 0, 0, [], [], false, false, "bwrap failed"), "XX", null),
        };

        try
        {
            foreach (var (step, status, signal) in cases)
            {
                executor.Behaviour = _ => new CodeExecutionResult("python", "3.11.2", null, step);
                var run = (await ReadAsync(await client.PostAsync("/api/v2/execute", Json(Python()))))["run"]!;
                Assert.Equal(status, (string?)run["status"]);
                Assert.Equal(signal, (string?)run["signal"]);
                Assert.False(string.IsNullOrEmpty((string?)run["message"]), status);
            }
        }
        finally
        {
            executor.Behaviour = ScriptedCodeExecutor.Default;
        }
    }

    [Fact]
    public async Task Execute_WithoutToken_Is401_WhenAnonymousUseIsOff()
    {
        var (server, _) = await servers.GetAsync(DatabaseProvider.Sqlite);
        using var anonymous = server.CreateClient();
        using var forged = server.CreateClient("pdl_not-a-real-token");

        foreach (var client in new[] { anonymous, forged })
        {
            var response = await client.PostAsync("/api/v2/execute", Json(Python()));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.NotEmpty(response.Headers.WwwAuthenticate);
            Assert.False(string.IsNullOrEmpty((string?)(await ReadAsync(response))["message"]));
        }
    }

    [Fact]
    public async Task Execute_Anonymous_Works_WhenAllowed_AndIsRateLimitedPerIp()
    {
        var (server, _) = await StartAsync(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["Piston:AllowAnonymous"] = "true",
            ["Execution:RateLimit:PerMinute"] = "2",
        });
        await using var _ = server;
        using var client = server.CreateClient();

        for (var i = 0; i < 2; i++)
        {
            var ok = await client.PostAsync("/api/v2/execute", Json(Python()));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var limited = await client.PostAsync("/api/v2/execute", Json(Python()));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Contains("At most 2 executions per minute", (string)(await ReadAsync(limited))["message"]!, StringComparison.Ordinal);

        await using var db = server.Database.CreateContext();
        var stored = await db.Set<Execution>().AsNoTracking().ToListAsync();
        Assert.All(stored, e => Assert.Null(e.OwnerId));
        Assert.All(stored, e => Assert.Equal("ip:127.0.0.1", e.RateKey));
    }
}
