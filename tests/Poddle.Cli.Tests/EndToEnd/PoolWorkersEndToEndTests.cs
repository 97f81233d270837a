using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Poddle.Contracts;
using Poddle.Testing;
using static Poddle.Cli.Tests.EndToEnd.PoolEndToEnd;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// Worker pools against the real `poddle serve` (its own defaults) and the real sandbox driver: a pool at zero with a
/// Python worker written the way RunPod's worker SDK works (pool_worker.py: job-take long poll, JSON results as
/// form-encoded text, the raw key, pings) scales up on the first job, runs 50 jobs submitted through RunPod's client API,
/// takes back the job of a worker killed with SIGKILL mid-job (it is retried and completes once, on another worker),
/// and scales back to zero after its idle timeout. The workers reach the server through the agent listener, the one
/// port sandbox pods may open.
/// </summary>
public sealed class PoolWorkersEndToEndTests
{
    private const string Password = "correct-horse-battery";

    [Fact]
    public async Task Pool_AtZeroWithRunPodStyleSandboxWorker_ScalesUpRunsJobsRetriesAKilledWorkersJobAndScalesToZero()
    {
        var home = PoddleProcess.NewHome("pools");
        var url = PoddleProcess.FreeLoopbackUrl();
        await using var server = await PoddleProcess.StartServerAsync(url, home, new Dictionary<string, string?>
        {
            ["PODDLE_Pools__Controller__Tick"] = "00:00:01",
            ["PODDLE_Pools__PingInterval"] = "00:00:01",
            ["PODDLE_Deployments__StopGracePeriod"] = "00:00:02",
        });
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        (await http.PostAsJsonAsync("/api/auth/register", new RegisterRequest("pooler@example.test", "pooler", Password))).EnsureSuccessStatusCode();
        var login = await http.PostAsJsonAsync("/api/auth/login", new LoginRequest("pooler", Password));
        login.EnsureSuccessStatusCode();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken);

        PoolResponse? pool = null;
        try
        {
            var project = await PostAsync<ProjectResponse>(http, "/api/projects", new CreateProjectRequest("pools"));
            var source = await UploadSourceAsync(http, project.Id, "pool_worker.py", await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "EndToEnd", "pool_worker.py")));
            pool = await PostAsync<PoolResponse>(http, "/api/pools", new CreatePoolRequest(
                "echo",
                Command: ["python3", "pool_worker.py"],
                SourceId: source.Id,
                Driver: "sandbox",
                MinWorkers: 0,
                MaxWorkers: 2,
                Scaler: new PoolScalerDto("queueDelay", 1),
                IdleTimeout: 3,
                ScaleDownWindow: 0));
            var token = await PostAsync<CreatedApiTokenResponse>(http, "/api/tokens", new CreateApiTokenRequest("runpod"));
            using var runpod = new HttpClient { BaseAddress = new Uri($"{url}/v2/{pool.Id}/"), Timeout = TimeSpan.FromSeconds(60) };
            runpod.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
            var health = await HealthAsync(runpod);
            Assert.Equal(0, Workers(health));

            // Scale up from zero on the first job: the decision that did it and the worker's start are the pool's events.
            var first = await PostAsync<ServerlessJobResponse>(runpod, "run", new { input = new { n = 0 } });
            await WaitForJobAsync(runpod, first.Id, "COMPLETED", TimeSpan.FromSeconds(90));
            var afterFirst = (await http.GetFromJsonAsync<PoolResponse>($"/api/pools/{pool.Id}"))!;
            Assert.NotNull(afterFirst.Events);
            // The first worker's rule, or the delay's own when the pass came more than queueDelay after the job (a loaded machine).
            Assert.Contains(afterFirst.Events, e => e.Kind == "decision" && e.Reason is "queue-delay-first-worker" or "queue-delay-exceeded" && e.Message.StartsWith("spawn 1", StringComparison.Ordinal) && e.Inputs is not null);
            Assert.Contains(afterFirst.Events, e => e.Kind == "worker" && e.Reason == "pod-started");
            Assert.Contains(afterFirst.Events, e => e.Kind == "worker" && e.Reason == "first-poll");

            // Then 50 jobs.
            var ids = new List<string>();
            for (var i = 0; i < 50; i++)
            {
                var queued = await PostAsync<ServerlessJobResponse>(runpod, "run", new { input = new { n = i } });
                ids.Add(queued.Id);
            }

            for (var i = 0; i < ids.Count; i++)
            {
                var done = await WaitForJobAsync(runpod, ids[i], "COMPLETED", TimeSpan.FromSeconds(120));
                Assert.Equal(i * 2, (int)JsonNode.Parse(done.Output!.Value.GetRawText())!["double"]!);
            }

            var afterBurst = (await http.GetFromJsonAsync<PoolResponse>($"/api/pools/{pool.Id}"))!;
            Assert.True(afterBurst.Workers!.Count <= 2, $"more workers than maxWorkers: {afterBurst.Workers.Count}");

            // SIGKILL the worker holding a job: the job goes back to the queue and completes once, on another worker.
            var slow = await PostAsync<ServerlessJobResponse>(runpod, "run", new { input = new { n = 21, sleep = 4 } });
            var held = await WaitForJobAsync(runpod, slow.Id, "IN_PROGRESS", TimeSpan.FromSeconds(60));
            var killedWorker = held.WorkerId!;
            var pid = WorkerProcess(killedWorker);
            Assert.True(pid > 0, $"no process of worker {killedWorker}");
            System.Diagnostics.Process.GetProcessById(pid).Kill();
            var retried = await WaitForJobAsync(runpod, slow.Id, "COMPLETED", TimeSpan.FromSeconds(90));
            var output = JsonNode.Parse(retried.Output!.Value.GetRawText())!;
            Assert.Equal(42, (int)output["double"]!);
            Assert.NotEqual(killedWorker, (string)output["worker"]!);
            Assert.Equal(retried.WorkerId, (string)output["worker"]!);
            health = await HealthAsync(runpod);
            Assert.True(health.Jobs.Retried >= 1, $"retried: {health.Jobs.Retried}");
            Assert.Equal(52, health.Jobs.Completed);
            var afterKill = (await http.GetFromJsonAsync<PoolResponse>($"/api/pools/{pool.Id}"))!;
            Assert.Contains(afterKill.Events!, e => e.WorkerId == killedWorker && e.Message.EndsWith("→ failed", StringComparison.Ordinal));

            // Back to zero after the idle timeout: no worker, no pod.
            await Poll.UntilAsync(
                async () => Workers(await HealthAsync(runpod)) == 0 && (await http.GetFromJsonAsync<PoolResponse>($"/api/pools/{pool.Id}"))!.Workers!.Count == 0,
                "the pool scaled back to zero",
                TimeSpan.FromSeconds(60));
            await Poll.UntilAsync(() => WorkerProcesses(pool.Id).Count == 0, "no worker process is left", TimeSpan.FromSeconds(30));
            var atZero = (await http.GetFromJsonAsync<PoolResponse>($"/api/pools/{pool.Id}"))!;
            Assert.Empty(atZero.Workers!);
            Assert.Contains(atZero.Events!, e => e.Kind == "worker" && e.Reason == "stopped" && e.Message.EndsWith("→ terminated", StringComparison.Ordinal));
            Assert.Contains(atZero.Events!, e => e.Kind == "decision" && e.Message.StartsWith("drain", StringComparison.Ordinal));
        }
        finally
        {
            // Worker pods outlive the server by design: deleting the pool ends them (the controller's sweep).
            if (pool is not null)
            {
                await http.DeleteAsync($"/api/pools/{pool.Id}");
                await Poll.UntilAsync(() => WorkerProcesses(pool.Id).Count == 0, "the deleted pool's workers ended", TimeSpan.FromSeconds(30));
            }
        }
    }
}
