using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Poddle.Contracts;
using Poddle.Testing;
using static Poddle.Cli.Tests.EndToEnd.PoolEndToEnd;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// Worker pools on the Docker driver, against the real `poddle serve` (its own defaults) and the real Docker Engine: a pool
/// at zero whose workers are containers of poddle-test/python (scripts/test-images.sh, Debian's python3 in a minimal
/// rootfs) running pool_worker.py, the worker written the way runpod-python works, scales up on the first job, runs jobs
/// submitted through RunPod's client API, and scales back to zero after its idle timeout, leaving no container. The
/// containers are on their owner's network and reach the server's worker protocol at the agent listener on Docker's
/// bridge (the RUNPOD_WEBHOOK_* URLs the controller gives them), the one host port they may open.
/// </summary>
public sealed class DockerPoolWorkersEndToEndTests
{
    private const string PythonImage = "poddle-test/python:latest";
    private const int MaxWorkers = 2;
    private const int Jobs = 20;

    /// <summary>
    /// The Docker driver mounts no source directories (images carry their code), so the worker's code comes in the pool's
    /// env and the command runs it: the image stays the generic python one.
    /// </summary>
    private const string RunWorkerFromEnv = "import os; exec(compile(os.environ['POOL_WORKER_PY'], 'pool_worker.py', 'exec'))";

    [Fact]
    public async Task Pool_AtZeroWithRunPodStyleDockerWorkers_ScalesUpRunsJobsAndScalesToZero()
    {
        var home = PoddleProcess.NewHome("docker-pools");
        var url = PoddleProcess.FreeLoopbackUrl();
        await using var server = await PoddleProcess.StartServerAsync(url, home, new Dictionary<string, string?>
        {
            ["PODDLE_Docker__ImagePullPolicy"] = "IfNotPresent", // no registry here: the image is built offline
            ["PODDLE_Pools__Controller__Tick"] = "00:00:01",
            ["PODDLE_Pools__PingInterval"] = "00:00:01",
            ["PODDLE_Deployments__StopGracePeriod"] = "00:00:02",
        });
        using var http = await SignUpAsync(url, "docker-pooler");
        PoolResponse? pool = null;
        try
        {
            pool = await PostAsync<PoolResponse>(http, "/api/pools", new CreatePoolRequest(
                "echo",
                Image: PythonImage,
                Command: ["python3", "-c", RunWorkerFromEnv],
                Env: new Dictionary<string, string> { ["POOL_WORKER_PY"] = await WorkerScriptAsync() },
                Driver: "docker",
                MinWorkers: 0,
                MaxWorkers: MaxWorkers,
                Scaler: new PoolScalerDto("queueDelay", 1),
                IdleTimeout: 3,
                ScaleDownWindow: 0));
            var (runpod, _) = await RunPodClientAsync(http, url, pool.Id);
            using var _runpod = runpod;
            Assert.Equal(0, Workers(await HealthAsync(runpod)));
            Assert.Empty(await DockerCli.ContainersAsync(pool.Id, all: true));

            // Scale up from zero on the first job: a container starts and its worker takes the job over the agent listener.
            var first = await PostAsync<ServerlessJobResponse>(runpod, "run", new { input = new { n = 0 } });
            var done = await WaitForJobAsync(runpod, first.Id, "COMPLETED", TimeSpan.FromSeconds(120), () => ContainerLogsAsync(pool.Id));
            Assert.Equal(done.WorkerId, (string)JsonNode.Parse(done.Output!.Value.GetRawText())!["worker"]!);
            var afterFirst = (await http.GetFromJsonAsync<PoolResponse>($"/api/pools/{pool.Id}"))!;
            // The first worker's rule, or the delay's own when the pass came more than queueDelay after the job (a loaded machine).
            Assert.Contains(afterFirst.Events!, e => e.Kind == "decision" && e.Reason is "queue-delay-first-worker" or "queue-delay-exceeded" && e.Message.StartsWith("spawn 1", StringComparison.Ordinal));
            Assert.Contains(afterFirst.Events!, e => e.Kind == "worker" && e.Reason == "first-poll");
            Assert.Contains(afterFirst.Workers!, w => w.Id == done.WorkerId && w.Driver == "docker");
            Assert.NotEmpty(await DockerCli.ContainersAsync(pool.Id));

            // Then a burst, never on more containers than maxWorkers.
            var ids = new List<string>();
            for (var i = 1; i <= Jobs; i++)
            {
                ids.Add((await PostAsync<ServerlessJobResponse>(runpod, "run", new { input = new { n = i, sleep = 0.2 } })).Id);
            }

            var containers = 0;
            for (var i = 0; i < ids.Count; i++)
            {
                var job = await WaitForJobAsync(runpod, ids[i], "COMPLETED", TimeSpan.FromSeconds(120), () => ContainerLogsAsync(pool.Id));
                Assert.Equal((i + 1) * 2, (int)JsonNode.Parse(job.Output!.Value.GetRawText())!["double"]!);
                containers = Math.Max(containers, (await DockerCli.ContainersAsync(pool.Id)).Count);
            }

            Assert.InRange(containers, 1, MaxWorkers);
            Assert.Equal(Jobs + 1, (await HealthAsync(runpod)).Jobs.Completed);

            // Back to zero after the idle timeout: no worker, no container (stopped and removed).
            await Poll.UntilAsync(
                async () => Workers(await HealthAsync(runpod)) == 0
                    && (await DockerCli.ContainersAsync(pool.Id, all: true)).Count == 0
                    && (await http.GetFromJsonAsync<PoolResponse>($"/api/pools/{pool.Id}"))!.Workers!.Count == 0, // terminated, not terminating
                "the pool scaled back to zero and its containers were removed",
                TimeSpan.FromSeconds(60));
            var atZero = (await http.GetFromJsonAsync<PoolResponse>($"/api/pools/{pool.Id}"))!;
            Assert.Empty(atZero.Workers!);
            Assert.Contains(atZero.Events!, e => e.Kind == "decision" && e.Message.StartsWith("drain", StringComparison.Ordinal));
            Assert.Contains(atZero.Events!, e => e.Kind == "worker" && e.Reason == "stopped" && e.Message.EndsWith("→ terminated", StringComparison.Ordinal));
        }
        finally
        {
            if (pool is not null)
            {
                await http.DeleteAsync($"/api/pools/{pool.Id}");
                await Poll.UntilAsync(async () => (await DockerCli.ContainersAsync(pool.Id, all: true)).Count == 0, "the deleted pool's containers are gone", TimeSpan.FromSeconds(60));
            }
        }
    }

    /// <summary>The pool's containers' logs, for a failure message (a worker that cannot reach the server says so there).</summary>
    private static async Task<string> ContainerLogsAsync(Guid poolId)
    {
        var logs = new System.Text.StringBuilder();
        foreach (var id in await DockerCli.ContainersAsync(poolId, all: true))
        {
            logs.Append("container ").Append(id[..12]).AppendLine(":").AppendLine(await DockerCli.RunAsync("logs", "--tail", "20", id));
        }

        return logs.ToString();
    }
}
