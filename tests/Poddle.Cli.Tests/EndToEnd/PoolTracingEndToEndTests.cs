using Poddle.Contracts;
using Poddle.Core.Pools;
using Poddle.Testing;
using static Poddle.Cli.Tests.EndToEnd.PoolEndToEnd;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// OpenTelemetry export, against the real `poddle serve` (its own defaults) pointed at a real OTLP/HTTP receiver
/// (Telemetry:OtlpEndpoint): one job on a sandbox pool whose worker is pool_worker.py, and its spans — submit, queued,
/// taken by the worker, result — arrive as one trace together with the ASP.NET Core span of the request that submitted it.
/// </summary>
public sealed class PoolTracingEndToEndTests
{
    [Fact]
    public async Task Serve_WithOtlpEndpoint_ExportsAJobsSpansAsOneTrace()
    {
        await using var receiver = await OtlpTraceReceiver.StartAsync();
        var home = PoddleProcess.NewHome("pools-otel");
        var url = PoddleProcess.FreeLoopbackUrl();
        await using var server = await PoddleProcess.StartServerAsync(url, home, new Dictionary<string, string?>
        {
            ["PODDLE_Telemetry__OtlpEndpoint"] = receiver.BaseAddress.ToString(),
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200", // the batch exporter's standard knob: export within the test's wait
            ["PODDLE_Pools__Controller__Tick"] = "00:00:01",
            ["PODDLE_Pools__PingInterval"] = "00:00:01",
        });
        using var http = await SignUpAsync(url, "otel-pooler");
        PoolResponse? pool = null;
        try
        {
            var project = await PostAsync<ProjectResponse>(http, "/api/projects", new CreateProjectRequest("pools"));
            var source = await UploadSourceAsync(http, project.Id, "pool_worker.py", await WorkerScriptAsync());
            pool = await PostAsync<PoolResponse>(http, "/api/pools", new CreatePoolRequest(
                "traced",
                Command: ["python3", "pool_worker.py"],
                SourceId: source.Id,
                Driver: "sandbox",
                MinWorkers: 0,
                MaxWorkers: 1,
                Scaler: new PoolScalerDto("queueDelay", 1),
                IdleTimeout: 60));
            var (runpod, _) = await RunPodClientAsync(http, url, pool.Id);
            using var _runpod = runpod;

            var job = await PostAsync<ServerlessJobResponse>(runpod, "run", new { input = new { n = 1 } });
            await WaitForJobAsync(runpod, job.Id, "COMPLETED", TimeSpan.FromSeconds(60));

            string[] jobSpans = [PoolTracing.Submit, PoolTracing.Queued, PoolTracing.Take, PoolTracing.Result];
            List<OtlpSpan> trace = [];
            await Poll.UntilAsync(
                () =>
                {
                    var spans = receiver.Spans.ToList();
                    var submit = spans.FirstOrDefault(s => s.Name == PoolTracing.Submit);
                    trace = submit is null ? [] : [.. spans.Where(s => s.TraceId == submit.TraceId)];
                    return jobSpans.All(name => trace.Any(s => s.Name == name));
                },
                "the job's spans arrived at the OTLP receiver as one trace",
                TimeSpan.FromSeconds(30),
                () => $"{receiver.Requests} requests; spans: {string.Join(", ", receiver.Spans.Select(s => $"{s.Name} {s.TraceId}"))}");

            Assert.True(receiver.Requests >= 1);
            Assert.All(jobSpans, name => Assert.Single(trace, s => s.Name == name));
            // The submit span is the child of the ASP.NET Core request span that carried the client's POST .../run.
            var submitSpan = trace.Single(s => s.Name == PoolTracing.Submit);
            Assert.Contains(trace, s => s.SpanId == submitSpan.ParentSpanId && !jobSpans.Contains(s.Name));
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
}
