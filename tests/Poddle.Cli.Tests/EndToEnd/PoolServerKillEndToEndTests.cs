using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Poddle.Contracts;
using Poddle.Testing;
using static Poddle.Cli.Tests.EndToEnd.PoolEndToEnd;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// kill -9 of the server mid-burst, against the real `poddle serve` (its own defaults) and real sandbox workers running
/// pool_worker.py: with jobs queued and jobs in progress on its workers, the server is SIGKILLed and started again on the
/// same data directory. The workers outlive it (pods are detached), keep their jobs, and post their results to the
/// restarted server at the same agent listener port; the queued jobs run after it. Every job completes, and none ran
/// twice: the workers' own output counts each handler run.
/// </summary>
public sealed class PoolServerKillEndToEndTests
{
    private const int MaxWorkers = 2;
    private const int ShortJobs = 20;

    [Fact]
    public async Task ServerKilledMidBurst_RestartedOnTheSameDataDirectory_EveryJobCompletesOnce()
    {
        var home = PoddleProcess.NewHome("pools-kill");
        var url = PoddleProcess.FreeLoopbackUrl();
        var settings = new Dictionary<string, string?>
        {
            ["PODDLE_Pools__Controller__Tick"] = "00:00:01",
            ["PODDLE_Pools__PingInterval"] = "00:00:01",
            ["PODDLE_Deployments__StopGracePeriod"] = "00:00:02",
        };
        var server = await PoddleProcess.StartServerAsync(url, home, settings);
        var executions = new PoolWorkerExecutions(home);
        HttpClient? http = null;
        PoolResponse? pool = null;
        try
        {
            http = await SignUpAsync(url, "kill-pooler");
            var project = await PostAsync<ProjectResponse>(http, "/api/projects", new CreateProjectRequest("pools"));
            var source = await UploadSourceAsync(http, project.Id, "pool_worker.py", await WorkerScriptAsync());
            pool = await PostAsync<PoolResponse>(http, "/api/pools", new CreatePoolRequest(
                "kill",
                Command: ["python3", "pool_worker.py"],
                SourceId: source.Id,
                Driver: "sandbox",
                MinWorkers: 0,
                MaxWorkers: MaxWorkers,
                Scaler: new PoolScalerDto("queueDelay", 1),
                IdleTimeout: 3,
                ScaleDownWindow: 0));
            var (runpod, _) = await RunPodClientAsync(http, url, pool.Id);
            using var _runpod = runpod;

            // A burst: a job for each worker the pool may have that runs until the worker has seen the server go and come
            // back (so its result goes to the restarted server, however long the restart takes: a result posted while no
            // server listens is lost after the worker's few retries, as with runpod-python, and its job would run again),
            // then short ones queued behind them.
            var jobs = new List<(string Id, int N)>();
            for (var n = 0; n < MaxWorkers + ShortJobs; n++)
            {
                var job = await PostAsync<ServerlessJobResponse>(runpod, "run", new { input = n < MaxWorkers ? new Dictionary<string, object> { ["n"] = n, ["until_server_back"] = true } : new Dictionary<string, object> { ["n"] = n, ["sleep"] = 0.2 } });
                jobs.Add((job.Id, n));
            }

            // Kill once every worker holds its long job: jobs are in progress on the workers and the rest are queued.
            var holders = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (id, _) in jobs.Take(MaxWorkers))
            {
                holders[id] = (await WaitForJobAsync(runpod, id, "IN_PROGRESS", TimeSpan.FromSeconds(60))).WorkerId!;
            }

            var health = await HealthAsync(runpod);
            Assert.Equal(MaxWorkers, health.Jobs.InProgress);
            Assert.Equal(ShortJobs, health.Jobs.InQueue);
            await server.KillWithoutChildrenAsync();
            await server.DisposeAsync();
            Assert.Equal(MaxWorkers, WorkerProcesses(pool.Id).Count); // the workers outlive the server

            server = await PoddleProcess.StartServerAsync(url, home, settings);
            foreach (var (id, n) in jobs)
            {
                var done = await WaitForJobAsync(runpod, id, "COMPLETED", TimeSpan.FromSeconds(120));
                Assert.Equal(2 * n, (int)JsonNode.Parse(done.Output!.Value.GetRawText())!["double"]!);
                if (holders.TryGetValue(id, out var holder))
                {
                    // Finished by the worker that held it at the kill: the restarted server did not count the workers
                    // as lost for the pings they could not send while no server listened.
                    if (holder != done.WorkerId)
                    {
                        var events = (await http.GetFromJsonAsync<PoolResponse>($"/api/pools/{pool.Id}"))!.Events!;
                        Assert.Fail($"job {id} held by {holder} at the kill was completed by {done.WorkerId}; events:{Environment.NewLine}"
                            + string.Join(Environment.NewLine, events.Select(e => $"{e.At:HH:mm:ss.fff} {e.Kind} {e.WorkerId} {e.Reason} {e.Message}"))
                            + $"{Environment.NewLine}server:{Environment.NewLine}{server.Stdout}{server.Stderr}");
                    }
                }
                executions.Read();
            }

            health = await HealthAsync(runpod);
            Assert.Equal(jobs.Count, health.Jobs.Completed);
            Assert.Equal(0, health.Jobs.Failed);
            Assert.Equal(0, health.Jobs.InQueue + health.Jobs.InProgress);
            Assert.Equal(0, health.Jobs.Retried);
            var afterRestart = (await http.GetFromJsonAsync<PoolResponse>($"/api/pools/{pool.Id}"))!;
            Assert.DoesNotContain(afterRestart.Events!, e => e.Kind == "worker" && e.Message.EndsWith("→ failed", StringComparison.Ordinal));

            // The restarted server runs the pool on: back to zero after the idle timeout.
            await Poll.UntilAsync(
                async () =>
                {
                    executions.Read();
                    return (await http.GetFromJsonAsync<PoolResponse>($"/api/pools/{pool.Id}"))!.Workers!.Count == 0;
                },
                "the pool scaled back to zero after the restart",
                TimeSpan.FromSeconds(60));
            await Poll.UntilAsync(() => WorkerProcesses(pool.Id).Count == 0, "no worker process is left", TimeSpan.FromSeconds(30));

            // Each job's handler ran exactly once: none was lost, none run again by the restarted server.
            var counts = executions.Counts();
            Assert.Equal(jobs.Select(j => j.Id).Order(StringComparer.Ordinal), counts.Keys.Order(StringComparer.Ordinal));
            Assert.All(counts, c => Assert.True(c.Value == 1, $"job {c.Key} ran {c.Value} times (retried: {health.Jobs.Retried})"));
        }
        finally
        {
            if (pool is not null && http is not null && !server.HasExited)
            {
                await http.DeleteAsync($"/api/pools/{pool.Id}");
                await Poll.UntilAsync(() => WorkerProcesses(pool.Id).Count == 0, "the deleted pool's workers ended", TimeSpan.FromSeconds(30));
            }

            // A server that did not come back leaves its workers polling: they are this test's to end.
            foreach (var pid in (pool is null ? [] : WorkerProcesses(pool.Id)).Values)
            {
                try
                {
                    System.Diagnostics.Process.GetProcessById(pid).Kill();
                }
                catch (ArgumentException)
                {
                    // Ended meanwhile.
                }
            }

            http?.Dispose();
            await server.DisposeAsync();
        }
    }
}
