using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Poddle.Core.Pools;

namespace Poddle.Server.Tests.Endpoints;

/// <summary>
/// A worker that speaks RunPod's worker protocol over HTTP exactly as runpod-python does (rp_job.py, rp_http.py,
/// rp_ping.py): the URLs from the environment Poddle gives a worker with "$ID"/"$RUNPOD_POD_ID" replaced, the SDK's
/// "&amp;job_in_progress=0|1" and "&amp;isStream=…" appended, RUNPOD_AI_API_KEY raw in the Authorization header, results as
/// JSON text with Content-Type application/x-www-form-urlencoded. It stands in for a worker pod because the
/// autoscaler that spawns worker pods is not wired to the drivers yet. Handler: {"n": x} → {"double": 2x};
/// {"stream": [...]} → each item streamed, then the list as the result; {"hold": true} → never answered.
/// </summary>
internal sealed class RunPodStyleWorker : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string> _env;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(2) };
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _inProgress;

    public RunPodStyleWorker(IReadOnlyDictionary<string, string> env)
    {
        _env = env;
        _http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", env[PoolWorkerEnvironment.ApiKey]);
        _loop = Task.Run(() => LoopAsync(_stop.Token));
    }

    public string WorkerId => _env[PoolWorkerEnvironment.PodId];

    public int Taken { get; private set; }

    public async Task<HttpStatusCode> PingAsync() =>
        (await _http.GetAsync(new Uri(_env[PoolWorkerEnvironment.Ping].Replace("$RUNPOD_POD_ID", WorkerId, StringComparison.Ordinal) + "?job_id=&runpod_version=1.7.0"))).StatusCode;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _http.Dispose();
        _stop.Dispose();
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        var take = _env[PoolWorkerEnvironment.GetJob].Replace("$ID", WorkerId, StringComparison.Ordinal);
        while (!ct.IsCancellationRequested)
        {
            using var response = await _http.GetAsync(new Uri($"{take}&job_in_progress={(Volatile.Read(ref _inProgress) > 0 ? 1 : 0)}"), ct);
            if (response.StatusCode == HttpStatusCode.NoContent)
            {
                continue;
            }

            response.EnsureSuccessStatusCode();
            var job = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
            Taken++;
            Interlocked.Increment(ref _inProgress);
            _ = Task.Run(() => HandleAsync((string)job["id"]!, job["input"]!, ct), ct);
        }
    }

    private async Task HandleAsync(string jobId, JsonNode input, CancellationToken ct)
    {
        try
        {
            if (input["hold"] is not null)
            {
                return;
            }

            if (input["stream"] is JsonArray items)
            {
                foreach (var item in items)
                {
                    await PostAsync(PoolWorkerEnvironment.PostStream, jobId, new JsonObject { ["output"] = item?.DeepClone() }, isStream: null, ct);
                }

                await PostAsync(PoolWorkerEnvironment.PostOutput, jobId, new JsonObject { ["output"] = items.DeepClone() }, isStream: true, ct);
                return;
            }

            var n = (int)input["n"]!;
            await PostAsync(PoolWorkerEnvironment.PostOutput, jobId, new JsonObject { ["output"] = new JsonObject { ["double"] = 2 * n } }, isStream: false, ct);
        }
        finally
        {
            Interlocked.Decrement(ref _inProgress);
        }
    }

    private async Task PostAsync(string template, string jobId, JsonObject body, bool? isStream, CancellationToken ct)
    {
        // rp_http._handle_result: the template with the worker id, then the job id, then "&isStream=…" (stream posts send "false").
        var url = _env[template].Replace("$RUNPOD_POD_ID", WorkerId, StringComparison.Ordinal).Replace("$ID", jobId, StringComparison.Ordinal)
            + $"&isStream={(isStream == true ? "true" : "false")}";
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await _http.PostAsync(new Uri(url), content, ct);
        response.EnsureSuccessStatusCode();
    }
}
