using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Poddle.Contracts;
using Poddle.Testing;
using Poddle.Testing.RunPod;
using static Poddle.Cli.Tests.EndToEnd.PoolEndToEnd;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// A pool of GPU workers on the RunPod driver, end to end against the RunPod fake (tests/Poddle.Testing.RunPod; not
/// RunPod itself): the real `poddle serve` (its own defaults) configured with a RunPod API key and the fake's URL, a pool
/// with driver runpod asking for a GPU type in a capacity drought first and an available one second, min 0 / max 2.
/// The fake runs each RUNNING pod's "image" as a local process with the pod's environment (its workload hook), here
/// pool_worker.py, the worker written the way runpod-python works, which reaches the server at its public URL, as a
/// RunPod pod would (not the agent listener). Jobs submitted over RunPod's client API all complete exactly once (counted
/// from the workers' own output), the controller fell back to the second GPU type (the fake's pods and the pool's
/// events, and `poddle pools get`), never more than maxWorkers pods, and after idle the pool is at zero with every
/// fake pod terminated and no worker process left.
/// </summary>
public sealed class RunPodGpuPoolEndToEndTests
{
    private const string Image = "poddle-test/gpu-worker:latest";
    private const string DroughtGpu = "NVIDIA A100 80GB PCIe";
    private const string AvailableGpu = "NVIDIA RTX A4000";
    private const int MaxWorkers = 2; // the free tier's most per pool
    private const int Jobs = 12;

    [Fact]
    public async Task GpuPool_OnTheRunPodFakeWithADroughtFirst_FallsBackRunsEachJobOnceAndEndsEveryPod()
    {
        await using var fake = await RunPodFake.StartAsync();
        fake.Faults.Drought(DroughtGpu);
        fake.Workloads.Map(Image, ["python3", "pool_worker.py"], Path.Combine(AppContext.BaseDirectory, "EndToEnd"));

        var home = PoddleProcess.NewHome("gpu-pools");
        var url = PoddleProcess.FreeLoopbackUrl();
        await using var server = await PoddleProcess.StartServerAsync(url, home, new Dictionary<string, string?>
        {
            ["PODDLE_RunPod__ApiKey"] = fake.ApiKey,
            ["PODDLE_RunPod__Endpoint"] = fake.GraphQLUrl.ToString(),
            ["PODDLE_RunPod__PollInterval"] = "00:00:01",
            // Where RunPod pods reach this server: its public address (here the fake's pods run on this machine).
            ["PODDLE_Agents__PublicUrl"] = url,
            ["PODDLE_Pools__Controller__Tick"] = "00:00:01",
            ["PODDLE_Pools__PingInterval"] = "00:00:01",
            ["PODDLE_Deployments__StopGracePeriod"] = "00:00:02",
        });
        using var http = await SignUpAsync(url, "gpu-pooler");
        PoolResponse? pool = null;
        try
        {
            pool = await PostAsync<PoolResponse>(http, "/api/pools", new CreatePoolRequest(
                "gpus",
                Image: Image,
                Driver: "runpod",
                MinWorkers: 0,
                MaxWorkers: MaxWorkers,
                Scaler: new PoolScalerDto("queueDelay", 1),
                IdleTimeout: 3,
                ScaleDownWindow: 0,
                Gpu: new PoolGpuDto([DroughtGpu, AvailableGpu], 1, ["secure"]),
                Storage: new PoolStorageDto(ContainerDiskGb: 30)));
            Assert.Equal([DroughtGpu, AvailableGpu], pool.Gpu!.Types!);
            var (runpod, token) = await RunPodClientAsync(http, url, pool.Id);
            using var _runpod = runpod;
            Assert.Equal(0, Workers(await HealthAsync(runpod)));
            Assert.Empty(fake.Pods);

            // While jobs run: the most pods the fake had at once, and every pod it had (a drained one is gone at once).
            using var sampling = new CancellationTokenSource();
            var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, RunPodFakePod>(StringComparer.Ordinal);
            var sampler = Task.Run(async () =>
            {
                var most = 0;
                while (!sampling.IsCancellationRequested)
                {
                    var pods = fake.Pods;
                    most = Math.Max(most, pods.Count);
                    foreach (var pod in pods)
                    {
                        seen[pod.Id] = pod;
                    }

                    await Task.Delay(100, CancellationToken.None);
                }

                return most;
            });

            var ids = new List<string>();
            for (var i = 0; i < Jobs; i++)
            {
                ids.Add((await PostAsync<ServerlessJobResponse>(runpod, "run", new { input = new { n = i, sleep = 0.3 } })).Id);
            }

            for (var i = 0; i < Jobs; i++)
            {
                var job = await WaitForJobAsync(runpod, ids[i], "COMPLETED", TimeSpan.FromSeconds(120), () => Task.FromResult(Diagnostics(fake, server)));
                Assert.Equal(2 * i, (int)JsonNode.Parse(job.Output!.Value.GetRawText())!["double"]!);
            }

            await sampling.CancelAsync();
            var mostPods = await sampler;
            Assert.InRange(mostPods, 1, MaxWorkers);

            // The fallback: every pod the fake rented is of the available type in the secure cloud, after refusals of the first.
            var rented = seen.Values.ToList();
            Assert.NotEmpty(rented);
            Assert.All(rented, p => Assert.Equal((AvailableGpu, "SECURE", 30), (p.GpuType.Id, p.CloudType, p.ContainerDiskInGb)));
            Assert.True(fake.Calls("podFindAndDeployOnDemand") > fake.Workloads.Started, "the drought's GPU type was asked for first");
            var env = rented[0].Env.Select(e => e.Split('=', 2)).ToDictionary(e => e[0], e => e[1], StringComparer.Ordinal);
            Assert.StartsWith($"{url}/v2/{pool.Id}/job-take/", env["RUNPOD_WEBHOOK_GET_JOB"], StringComparison.Ordinal);
            var afterJobs = (await http.GetFromJsonAsync<PoolResponse>($"/api/pools/{pool.Id}"))!;
            Assert.Contains(afterJobs.Events!, e => e.Kind == "capacity" && e.Reason == "fell-back"
                && e.Message.Contains($"started on {AvailableGpu} (secure)", StringComparison.Ordinal) && e.Message.Contains(DroughtGpu, StringComparison.Ordinal));

            // The decision shows in `poddle pools get`.
            var get = await PoddleProcess.RunAsync(["pools", "get", "gpus"], new Dictionary<string, string?>
            {
                ["HOME"] = home,
                ["PODDLE_SERVER"] = url,
                ["PODDLE_TOKEN"] = token,
            });
            Assert.True(get.ExitCode == 0, get.ToString());
            Assert.Contains($"gpu: 1 x [{DroughtGpu}, {AvailableGpu}] in [secure], on demand", get.Stdout, StringComparison.Ordinal);
            Assert.Contains($"fell-back: started on {AvailableGpu} (secure)", get.Stdout, StringComparison.Ordinal);

            // Back to zero after the idle timeout: no worker, every fake pod terminated, no worker process left.
            await Poll.UntilAsync(
                async () => Workers(await HealthAsync(runpod)) == 0 && fake.Pods.Count == 0 && fake.Workloads.Running.Count == 0
                    && (await http.GetFromJsonAsync<PoolResponse>($"/api/pools/{pool.Id}"))!.Workers!.Count == 0,
                "the pool scaled back to zero and its RunPod pods were terminated",
                TimeSpan.FromSeconds(90),
                () => Task.FromResult(Diagnostics(fake, server)));
            Assert.Empty(WorkerProcesses(pool.Id));

            // Each job ran exactly once, from the workers' own output.
            var executed = fake.Workloads.AllOutput().Values.SelectMany(lines => lines)
                .Where(l => l.StartsWith("o executed ", StringComparison.Ordinal))
                .Select(l => l["o executed ".Length..].Trim())
                .GroupBy(id => id, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            Assert.Equal(ids.Order(StringComparer.Ordinal), executed.Keys.Order(StringComparer.Ordinal));
            Assert.All(executed, e => Assert.True(e.Value == 1, $"job {e.Key} ran {e.Value} times"));
            Assert.Equal(Jobs, (await HealthAsync(runpod)).Jobs.Completed);
        }
        finally
        {
            if (pool is not null)
            {
                await http.DeleteAsync($"/api/pools/{pool.Id}");
            }
        }
    }

    /// <summary>For a failure message: the fake's pods and the workers' output, and the server's log tail.</summary>
    private static string Diagnostics(RunPodFake fake, PoddleProcess server)
    {
        var text = new System.Text.StringBuilder();
        foreach (var pod in fake.Pods)
        {
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"pod {pod.Id} {pod.GpuType.Id} {pod.CloudType} {pod.DesiredStatus}");
        }

        foreach (var (podId, lines) in fake.Workloads.AllOutput())
        {
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"output of {podId}:").AppendJoin(Environment.NewLine, lines.TakeLast(10)).AppendLine();
        }

        var log = server.Stdout + server.Stderr;
        return text.Append("server: ").Append(log[Math.Max(0, log.Length - 4000)..]).ToString();
    }
}
