using System.Net.Http.Json;
using Poddle.Cli.Tests.Deploy;
using Poddle.Contracts;
using Poddle.Testing;
using Poddle.Testing.RunPod;
using static Poddle.Cli.Tests.EndToEnd.PoolEndToEnd;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// deploy/grafana and deploy/prometheus against what a real `poddle serve` exports: Debian's Prometheus scrapes the
/// server (its own defaults, the RunPod driver pointed at the RunPod fake so that its circuit is exported) every second
/// while a user signs up, runs a Python program and sends a job to a sandbox pool. Then every dashboard query (Grafana's
/// variables substituted) and every alert expression is evaluated by Prometheus: each must parse, and every metric
/// name it reads must have series in the scrape.
/// </summary>
public sealed class PrometheusScrapeEndToEndTests
{
    [PrometheusFact]
    public async Task DashboardsAndAlertRules_AgainstARealScrape_ParseAndReadOnlyExportedSeries()
    {
        var queries = ObservabilityFiles.DashboardQueries()
            .Select(q => (Where: $"{q.Dashboard}: {q.Panel}", Expression: ObservabilityFiles.Substitute(q.Expression)))
            .Concat(ObservabilityFiles.Alerts().Select(a => (Where: $"{a.File}: alert {a.Name}", a.Expression)))
            .ToList();
        Assert.Contains(queries, q => q.Where.Contains("alert", StringComparison.Ordinal));
        Assert.True(PrometheusTools.DashboardFiles.Count >= 4, "dashboards: " + string.Join(", ", PrometheusTools.DashboardFiles));

        await using var runpod = await RunPodFake.StartAsync();
        var home = PoddleProcess.NewHome("prometheus");
        var url = PoddleProcess.FreeLoopbackUrl();
        await using var server = await PoddleProcess.StartServerAsync(url, home, new Dictionary<string, string?>
        {
            ["PODDLE_RunPod__ApiKey"] = runpod.ApiKey,
            ["PODDLE_RunPod__Endpoint"] = runpod.GraphQLUrl.ToString(),
            ["PODDLE_Pools__Controller__Tick"] = "00:00:01",
            ["PODDLE_Pools__PingInterval"] = "00:00:01",
            ["PODDLE_Deployments__StopGracePeriod"] = "00:00:02",
        });
        await using var prometheus = await PrometheusServer.StartAsync(new Uri(url).Authority);

        using var http = await SignUpAsync(url, "scraped");
        PoolResponse? pool = null;
        try
        {
            // The code runner: one Python run.
            using (var run = await http.PostAsJsonAsync("/api/execution/submit?wait=true", new SubmitExecutionRequest("python", "print(6 * 7)")))
            {
                Assert.True(run.IsSuccessStatusCode, await run.Content.ReadAsStringAsync());
            }

            // A pool at zero with the RunPod-style worker: one job scales it up and completes.
            var project = await PostAsync<ProjectResponse>(http, "/api/projects", new CreateProjectRequest("scraped"));
            var source = await UploadSourceAsync(http, project.Id, "pool_worker.py", await WorkerScriptAsync());
            pool = await PostAsync<PoolResponse>(http, "/api/pools", new CreatePoolRequest(
                "scraped",
                Command: ["python3", "pool_worker.py"],
                SourceId: source.Id,
                Driver: "sandbox",
                MinWorkers: 0,
                MaxWorkers: 1,
                Scaler: new PoolScalerDto("queueDelay", 1),
                IdleTimeout: 60,
                ScaleDownWindow: 0));
            var (client, _) = await RunPodClientAsync(http, url, pool.Id);
            using (client)
            {
                var job = await PostAsync<ServerlessJobResponse>(client, "run", new { input = new { n = 1 } });
                await WaitForJobAsync(client, job.Id, "COMPLETED", TimeSpan.FromSeconds(90));
            }

            // Every series above is on /metrics once the job completed: wait for a scrape taken after that.
            await Poll.UntilAsync(
                async () => (await prometheus.QueryAsync("poddle_pools_task_processing_seconds_count")).Result is { Count: > 0 },
                "prometheus scraped the pool's job",
                TimeSpan.FromSeconds(60),
                () => Task.FromResult(prometheus.Log));

            var errors = new List<string>();
            var readers = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            foreach (var (where, expression) in queries)
            {
                if ((await prometheus.QueryAsync(expression)).Error is { } error)
                {
                    errors.Add($"{where}: {error} in `{expression}`");
                }

                var names = ObservabilityFiles.MetricNames(expression);
                if (names.Count == 0)
                {
                    errors.Add($"{where}: reads no metric: `{expression}`");
                }

                foreach (var name in names)
                {
                    (readers.TryGetValue(name, out var set) ? set : readers[name] = new SortedSet<string>(StringComparer.Ordinal)).Add(where);
                }
            }

            var missing = new List<string>();
            foreach (var (name, where) in readers)
            {
                if (await prometheus.SeriesCountAsync(name) == 0)
                {
                    missing.Add($"{name} (read by {string.Join("; ", where)})");
                }
            }

            // One failure that lists both, so a run shows every query to mend at once.
            Assert.True(
                errors.Count == 0 && missing.Count == 0,
                $"queries Prometheus refused ({errors.Count} of {queries.Count}):{Environment.NewLine}{string.Join(Environment.NewLine, errors)}{Environment.NewLine}" +
                $"metric names with no series in the scrape of poddle serve ({missing.Count} of {readers.Count}):{Environment.NewLine}{string.Join(Environment.NewLine, missing)}");
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
