using System.Net.Http.Json;
using Poddle.Contracts;
using Poddle.Testing;
using static Poddle.Cli.Tests.EndToEnd.PoolEndToEnd;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// The done-when proof for the client side with workers the controller starts: the real npm package runpod-sdk
/// (tests/runpod-client/burst.mjs, pinned in its package-lock.json), unchanged, with baseUrl {server}/v2, sends a burst of
/// jobs to a pool at zero on the real `poddle serve` (its own defaults) whose sandbox workers run pool_worker.py, the
/// worker written the way runpod-python works. The pool scales up to maxWorkers and never above (its live workers and
/// their processes, sampled throughout), every job completes with its own answer and ran exactly once (the workers'
/// own output), and the pool scales back to zero after its idle timeout.
/// </summary>
public sealed partial class RunPodSdkPoolWorkersEndToEndTests
{
    private const int MaxWorkers = 2; // the free tier's most per pool
    private const int Jobs = 200; // the burst
    private const double JobSeconds = 0.05;

    [Fact]
    public async Task RunPodSdk_BurstOnAPoolAtZero_ScalesToMaxWorkersRunsEachJobOnceAndScalesToZero()
    {
        var home = PoddleProcess.NewHome("pools-sdk");
        var url = PoddleProcess.FreeLoopbackUrl();
        await using var server = await PoddleProcess.StartServerAsync(url, home, new Dictionary<string, string?>
        {
            ["PODDLE_Pools__Controller__Tick"] = "00:00:01",
            ["PODDLE_Pools__PingInterval"] = "00:00:01",
            ["PODDLE_Deployments__StopGracePeriod"] = "00:00:02",
        });
        using var http = await SignUpAsync(url, "sdk-pooler");
        using var client = await RunPodSdkClient.PrepareAsync();
        PoolResponse? pool = null;
        try
        {
            var project = await PostAsync<ProjectResponse>(http, "/api/projects", new CreateProjectRequest("pools"));
            var source = await UploadSourceAsync(http, project.Id, "pool_worker.py", await WorkerScriptAsync());
            pool = await PostAsync<PoolResponse>(http, "/api/pools", new CreatePoolRequest(
                "burst",
                Command: ["python3", "pool_worker.py"],
                SourceId: source.Id,
                Driver: "sandbox",
                MinWorkers: 0,
                MaxWorkers: MaxWorkers,
                Scaler: new PoolScalerDto("queueDelay", 1),
                IdleTimeout: 3,
                ScaleDownWindow: 0));
            var (runpod, token) = await RunPodClientAsync(http, url, pool.Id);
            using var _runpod = runpod;

            // While the sdk runs: the most live workers the pool reported and the most worker processes that ran at once.
            var executions = new PoolWorkerExecutions(home);
            using var sampling = new CancellationTokenSource();
            var poolId = pool.Id;
            var sampler = Task.Run(async () =>
            {
                var (reported, processes) = (0, 0);
                while (!sampling.IsCancellationRequested)
                {
                    reported = Math.Max(reported, (await http.GetFromJsonAsync<PoolResponse>($"/api/pools/{poolId}", CancellationToken.None))!.Workers!.Count);
                    processes = Math.Max(processes, WorkerProcesses(poolId).Count);
                    executions.Read();
                    await Task.Delay(100, CancellationToken.None);
                }

                return (reported, processes);
            });

            var ids = await client.BurstAsync(url, token, pool.Id, Jobs, JobSeconds, TimeSpan.FromMinutes(3));
            await sampling.CancelAsync();
            var (mostReported, mostProcesses) = await sampler;

            // Up to maxWorkers on the burst, never above.
            Assert.Equal(MaxWorkers, mostReported);
            Assert.InRange(mostProcesses, 1, MaxWorkers);
            var afterBurst = (await http.GetFromJsonAsync<PoolResponse>($"/api/pools/{pool.Id}"))!;
            // Every decision kept (the newest events) aimed at most at maxWorkers.
            var desired = afterBurst.Events!.Where(e => e.Kind == "decision").Select(e => int.Parse(DesiredWorkers().Match(e.Message).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.All(desired, d => Assert.InRange(d, 0, MaxWorkers));

            // Back to zero after the idle timeout; by then every worker's output has been read: each job ran exactly once.
            await Poll.UntilAsync(
                async () =>
                {
                    executions.Read();
                    return Workers(await HealthAsync(runpod)) == 0 && (await http.GetFromJsonAsync<PoolResponse>($"/api/pools/{pool.Id}"))!.Workers!.Count == 0;
                },
                "the pool scaled back to zero",
                TimeSpan.FromSeconds(60));
            await Poll.UntilAsync(() => WorkerProcesses(pool.Id).Count == 0, "no worker process is left", TimeSpan.FromSeconds(30));
            var counts = executions.Counts();
            Assert.Equal(ids.Order(StringComparer.Ordinal), counts.Keys.Order(StringComparer.Ordinal));
            Assert.All(counts, c => Assert.True(c.Value == 1, $"job {c.Key} ran {c.Value} times"));
            var atZero = (await http.GetFromJsonAsync<PoolResponse>($"/api/pools/{pool.Id}"))!;
            Assert.Contains(atZero.Events!, e => e.Kind == "decision" && e.Message.StartsWith("drain", StringComparison.Ordinal));
        }
        finally
        {
            if (pool is not null)
            {
                await http.DeleteAsync($"/api/pools/{pool.Id}");
                await Poll.UntilAsync(() => WorkerProcesses(pool.Id).Count == 0, "the deleted pool's workers ended", TimeSpan.FromSeconds(30));
            }
        }
    }

    /// <summary>A decision event's message: "spawn 2: 1 → 3 workers".</summary>
    [System.Text.RegularExpressions.GeneratedRegex("→ ([0-9]+) workers")]
    private static partial System.Text.RegularExpressions.Regex DesiredWorkers();
}
