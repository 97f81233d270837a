using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Poddle.Agent.Supervisor;
using Poddle.Agent.Worker;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

/// <summary>
/// `poddle agent --worker` (<see cref="PoolWorkerLoop"/>) against the server's real worker endpoints over HTTP: the
/// environment a pool gives a worker, a real child process per job, the job-stop long poll for cancellations.
/// </summary>
public sealed class AgentWorkerTests
{
    /// <summary>Echoes the input (JSON), or prints text, or fails with a message on standard error, by the input.</summary>
    private const string Handler = """
        input=$(cat)
        case "$input" in
          *fail*) echo "first line" >&2; echo "boom: bad input" >&2; exit 3 ;;
          *text*) echo "plain words" ;;
          *sleep*) echo $$ > "$PIDFILE"; sleep 600 ;;
          *slow*) sleep 1; echo "$input" ;;
          *) echo "$input" ;;
        esac
        """;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Worker_RunsTheCommandPerJob_OutputAsJsonOrText_ErrorsWithTheStderrTail(DatabaseProvider provider)
    {
        await using var server = await PoolEndpointsTests.StartAsync(provider);
        var (token, pool) = await ServerlessEndpointsTests.CreatePoolWithTokenAsync(server, "alice");
        await using var worker = await StartAsync(server, pool, "agent-1");
        using var client = server.CreateClient(token);

        var json = await RunSyncAsync(client, pool, """{"input":{"n":21,"list":[1,2]}}""");
        var text = await RunSyncAsync(client, pool, """{"input":{"text":true}}""");
        var failed = await RunSyncAsync(client, pool, """{"input":{"fail":true}}""");

        Assert.Equal("COMPLETED", (string)json["status"]!);
        Assert.Equal(21, (int)json["output"]!["n"]!);
        Assert.Equal(2, json["output"]!["list"]!.AsArray().Count);
        Assert.Equal(("COMPLETED", "plain words"), ((string)text["status"]!, (string)text["output"]!));
        Assert.Equal("FAILED", (string)failed["status"]!);
        Assert.Equal("exit code 3: first line\nboom: bad input", (string)failed["error"]!);
        Assert.Equal(3, worker.Loop.Completed);
    }

    [Fact]
    public async Task Worker_JobCancelledWhileRunning_ItsCommandIsKilled()
    {
        await using var server = await PoolEndpointsTests.StartAsync(DatabaseProvider.Sqlite);
        var (token, pool) = await ServerlessEndpointsTests.CreatePoolWithTokenAsync(server, "alice");
        await using var worker = await StartAsync(server, pool, "agent-cancel");
        using var client = server.CreateClient(token);

        var id = await SubmitAsync(client, pool, """{"input":{"sleep":true}}""");
        await Poll.UntilAsync(() => File.Exists(worker.PidFile) && File.ReadAllText(worker.PidFile).Trim().Length > 0, "the job's command to start");
        var pid = int.Parse(File.ReadAllText(worker.PidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var cancelled = await client.PostAsync($"/v2/{pool}/cancel/{id}", Json("{}"));
        cancelled.EnsureSuccessStatusCode();

        await Poll.UntilAsync(() => !Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] == "Z", "the cancelled job's command to be killed");
        await Poll.UntilAsync(() => worker.Loop.Completed == 1, "the worker to be done with the cancelled job");
        var status = (await client.GetFromJsonAsync<JsonObject>($"/v2/{pool}/status/{id}"))!;
        Assert.Equal("CANCELLED", (string)status["status"]!);

        // It takes the next job as usual.
        Assert.Equal("COMPLETED", (string)(await RunSyncAsync(client, pool, """{"input":{"n":1}}"""))["status"]!);
    }

    [Fact]
    public async Task Worker_StoppedWhileRunningAJob_FinishesItAndPostsItsResult()
    {
        await using var server = await PoolEndpointsTests.StartAsync(DatabaseProvider.Sqlite);
        var (token, pool) = await ServerlessEndpointsTests.CreatePoolWithTokenAsync(server, "alice");
        await using var worker = await StartAsync(server, pool, "agent-stop");
        using var client = server.CreateClient(token);

        var id = await SubmitAsync(client, pool, """{"input":{"slow":true}}""");
        await Poll.UntilAsync(async () => (string)(await client.GetFromJsonAsync<JsonObject>($"/v2/{pool}/status/{id}"))!["status"]! == "IN_PROGRESS", "the worker to take the job");
        await worker.Stop.CancelAsync();
        var exit = await worker.Run.WaitAsync(TimeSpan.FromSeconds(60));
        var done = (await client.GetFromJsonAsync<JsonObject>($"/v2/{pool}/status/{id}"))!;

        Assert.Equal(0, exit);
        Assert.Equal("COMPLETED", (string)done["status"]!);
        Assert.True((bool)done["output"]!["slow"]!);

        // It took no other job after the stop.
        var next = await SubmitAsync(client, pool, """{"input":{"n":2}}""");
        Assert.Equal("IN_QUEUE", (string)(await client.GetFromJsonAsync<JsonObject>($"/v2/{pool}/status/{next}"))!["status"]!);
    }

    private static async Task<RunningWorker> StartAsync(TestServer server, Guid pool, string workerId)
    {
        var env = new Dictionary<string, string>(await ServerlessEndpointsTests.CreateWorkerEnvAsync(server, pool, workerId), StringComparer.Ordinal);
        var pidFile = Path.Combine(Path.GetTempPath(), $"poddle-agent-worker-{Guid.NewGuid():N}.pid");
        env["PIDFILE"] = pidFile;
        env["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        var environment = WorkerEnvironment.Read(env, out var errors) ?? throw new InvalidOperationException(string.Join("; ", errors));
        var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var process = new JobProcess(["/bin/sh", "-c", Handler], false, env, new ChildProcesses(), TimeProvider.System);
        var loop = new PoolWorkerLoop(environment, process, http, NullLogger.Instance, TimeProvider.System);
        var stop = new CancellationTokenSource();
        return new RunningWorker(loop, Task.Run(() => loop.RunAsync(stop.Token)), stop, http, pidFile);
    }

    private static async Task<JsonObject> RunSyncAsync(HttpClient client, Guid pool, string body)
    {
        var response = await client.PostAsync($"/v2/{pool}/runsync?wait=60000", Json(body));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static async Task<string> SubmitAsync(HttpClient client, Guid pool, string body)
    {
        var response = await client.PostAsync($"/v2/{pool}/run", Json(body));
        response.EnsureSuccessStatusCode();
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private sealed record RunningWorker(PoolWorkerLoop Loop, Task<int> Run, CancellationTokenSource Stop, HttpClient Http, string PidFile) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Stop.CancelAsync();
            try
            {
                await Run.WaitAsync(TimeSpan.FromSeconds(60));
            }
            finally
            {
                Stop.Dispose();
                Http.Dispose();
                File.Delete(PidFile);
            }
        }
    }
}
