using System.Net.Http.Json;
using Poddle.Contracts;
using Poddle.Testing;
using static Poddle.Cli.Tests.EndToEnd.PoolEndToEnd;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// Worker pools on the Docker driver, against the real `poddle serve` (its own defaults) and the real Docker Engine: a pool
/// at zero whose workers are containers of poddle-test/python (scripts/test-images.sh, Debian's python3 in a minimal
/// rootfs) running pool_worker.py, the worker written the way runpod-python works, scales up to maxWorkers on a burst
/// the real npm runpod-sdk sends (tests/runpod-client/burst.mjs), runs each job exactly once (the containers' logs), and
/// scales back to zero after its idle timeout, leaving no container. The
/// containers are on their owner's network and reach the server's worker protocol at the agent listener on Docker's
/// bridge (the RUNPOD_WEBHOOK_* URLs the controller gives them), the one host port they may open.
/// </summary>
public sealed class DockerPoolWorkersEndToEndTests
{
    private const string PythonImage = "poddle-test/python:latest";
    private const int MaxWorkers = 2;
    private const int Jobs = 30;
    private const double JobSeconds = 0.2;

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
        using var client = await RunPodSdkClient.PrepareAsync();
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
            var (runpod, token) = await RunPodClientAsync(http, url, pool.Id);
            using var _runpod = runpod;
            Assert.Equal(0, Workers(await HealthAsync(runpod)));
            Assert.Empty(await DockerCli.ContainersAsync(pool.Id, all: true));

            // While the sdk runs: the most live workers the pool reported and the most containers that ran at once, and
            // the containers' logs (each execution) before a drained container is removed.
            var executions = new PoolWorkerExecutions(home);
            using var sampling = new CancellationTokenSource();
            var poolId = pool.Id;
            var sampler = Task.Run(async () =>
            {
                var (reported, containers) = (0, 0);
                while (!sampling.IsCancellationRequested)
                {
                    reported = Math.Max(reported, (await http.GetFromJsonAsync<PoolResponse>($"/api/pools/{poolId}", CancellationToken.None))!.Workers!.Count);
                    containers = Math.Max(containers, (await DockerCli.ContainersAsync(poolId)).Count);
                    await executions.ReadContainersAsync(poolId);
                    await Task.Delay(200, CancellationToken.None);
                }

                return (reported, containers);
            });

            // Scale up from zero on the burst through the real runpod-sdk: containers start and their workers take the
            // jobs over the agent listener.
            var ids = await client.BurstAsync(url, token, pool.Id, Jobs, JobSeconds, TimeSpan.FromMinutes(3));
            await sampling.CancelAsync();
            var (mostReported, mostContainers) = await sampler;
            await executions.ReadContainersAsync(pool.Id); // the last results came in after the sampler's last read
            Assert.Equal(MaxWorkers, mostReported);
            Assert.InRange(mostContainers, 1, MaxWorkers);
            var afterBurst = (await http.GetFromJsonAsync<PoolResponse>($"/api/pools/{pool.Id}"))!;
            // (The first-worker decision has left the newest events by now: the burst made many more.)
            Assert.All(afterBurst.Workers!, w => Assert.Equal("docker", w.Driver));

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

            // Every job ran exactly once (a container is removed only after its worker idled past its last job, so the
            // sampler read each one's log).
            var counts = executions.Counts();
            Assert.Equal(ids.Order(StringComparer.Ordinal), counts.Keys.Order(StringComparer.Ordinal));
            Assert.All(counts, c => Assert.True(c.Value == 1, $"job {c.Key} ran {c.Value} times"));
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
}
