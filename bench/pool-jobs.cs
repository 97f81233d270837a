#:property PublishAot=false
// Worker pools end to end on the real `poddle serve` (the Release build, SQLite in a temporary directory) and the real
// sandbox driver, with a no-op worker written to RunPod's worker protocol (bench/pool-noop-worker.py):
//   - scaler reaction: a job submitted to a pool at zero → the controller's spawn decision (the pool's decision event,
//     through the real event path: the queued job's notification wakes the controller), and → its first worker started;
//   - cold start: that first job → its result at the client (POST /runsync), the pool at zero each time;
//   - job overhead on warm workers: POST /runsync of a no-op job → its result at the client, open loop at a fixed rate,
//     p50/p95/p99 (and the server's own delayTime/executionTime medians, to split the time).
// Usage (repository root, as root for the sandbox; build first: dotnet build src/Poddle.Cli -c Release):
//   dotnet run bench/pool-jobs.cs -- [rate=50] [seconds=20] [warm-workers=2] [cold-starts=3] [driver=sandbox|docker]
// With docker, the workers are containers of poddle-test/python:latest (scripts/test-images.sh builds it offline) running
// the same worker code, passed in the pool's env (the Docker driver mounts no source bundle).
using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

var rate = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
var warmWorkers = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
var coldStarts = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;
var driver = args.Length > 4 ? args[4] : "sandbox";
if (driver is not ("sandbox" or "docker"))
{
    Console.Error.WriteLine($"driver must be sandbox or docker, not {driver}.");
    return 2;
}

var root = Directory.GetCurrentDirectory();
var dll = Path.Combine(root, "src/Poddle.Cli/bin/Release/net10.0/poddle.dll");
if (!File.Exists(dll))
{
    Console.Error.WriteLine($"{dll} is missing: run `dotnet build src/Poddle.Cli -c Release` first.");
    return 2;
}

Console.WriteLine(Invariant($"driver {driver}; machine: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}"));
var dataDir = Directory.CreateTempSubdirectory("poddle-bench-pools-").FullName;
var port = FreePort();
var serverLog = Path.Combine(dataDir, "server.log");
var start = new ProcessStartInfo("dotnet", [dll, "serve", "--data-dir", dataDir, "--urls", $"http://127.0.0.1:{port}"])
{
    RedirectStandardOutput = true,
    RedirectStandardError = true,
    UseShellExecute = false,
};
start.Environment["PODDLE_ADMIN_PASSWORD"] = "bench-admin-password";
start.Environment["PODDLE_Logging__LogLevel__Default"] = "Warning";
start.Environment["DOTNET_gcServer"] = "0";
start.Environment["PODDLE_Docker__ImagePullPolicy"] = "IfNotPresent"; // no registry here: the image is built offline
using var server = Process.Start(start)!;
using var log = File.CreateText(serverLog);
server.OutputDataReceived += (_, e) => { lock (log) { log.WriteLine(e.Data); } };
server.ErrorDataReceived += (_, e) => { lock (log) { log.WriteLine(e.Data); } };
server.BeginOutputReadLine();
server.BeginErrorReadLine();
try
{
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(180) };
    await WaitReadyAsync(http);
    var login = await http.PostAsJsonAsync("/api/auth/login", new { login = "admin", password = "bench-admin-password" });
    login.EnsureSuccessStatusCode();
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());
    var project = await PostAsync(http, "/api/projects", new { name = "bench-pools" });
    var workerCode = await File.ReadAllTextAsync(Path.Combine(root, "bench/pool-noop-worker.py"));
    var source = await UploadAsync(http, project.GetProperty("id").GetString()!, "worker.py", workerCode);
    var pool = await PostAsync(http, "/api/pools", driver == "docker"
        ? new
        {
            name = "noop",
            image = "poddle-test/python:latest",
            command = (string[])["python3", "-c", "import os; exec(compile(os.environ['POOL_WORKER_PY'], 'worker.py', 'exec'))"],
            env = new Dictionary<string, string> { ["POOL_WORKER_PY"] = workerCode },
            driver,
            minWorkers = 0,
            maxWorkers = Math.Max(warmWorkers, 1),
            scaler = new { type = "queueDelay", value = 1 },
            idleTimeout = 1,
            scaleDownWindow = 0,
        }
        : (object)new
    {
        name = "noop",
        command = (string[])["python3", "worker.py"],
        sourceId = source.GetProperty("id").GetString(),
        driver,
        minWorkers = 0,
        maxWorkers = Math.Max(warmWorkers, 1),
        scaler = new { type = "queueDelay", value = 1 },
        idleTimeout = 1,
        scaleDownWindow = 0,
    });
    var poolId = pool.GetProperty("id").GetString()!;
    var token = await PostAsync(http, "/api/tokens", new { name = "bench" });
    using var runpod = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}/v2/{poolId}/"), Timeout = TimeSpan.FromSeconds(180) };
    runpod.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("token").GetString());

    // 1 and 2. From zero, each time: submit → spawn decision → worker started → result.
    var reactions = new List<double>();
    var starts = new List<double>();
    var colds = new List<double>();
    for (var i = 0; i < coldStarts; i++)
    {
        await UntilAsync(async () => (await WorkersAsync(http, poolId)).GetArrayLength() == 0, "the pool to be at zero");
        var submitted = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var result = await RunSyncAsync(runpod, i);
        colds.Add(clock.Elapsed.TotalMilliseconds);
        var detail = await http.GetFromJsonAsync<JsonElement>($"/api/pools/{poolId}");
        var spawn = detail.GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("kind").GetString() == "decision" && e.GetProperty("message").GetString()!.StartsWith("spawn", StringComparison.Ordinal))
            .Select(e => e.GetProperty("at").GetDateTimeOffset())
            .Where(at => at >= submitted.AddSeconds(-1))
            .Order()
            .First();
        var workerStarted = detail.GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("kind").GetString() == "worker" && e.GetProperty("reason").GetString() == "pod-started")
            .Select(e => e.GetProperty("at").GetDateTimeOffset())
            .Where(at => at >= spawn)
            .Order()
            .First();
        reactions.Add((spawn - submitted).TotalMilliseconds);
        starts.Add((workerStarted - submitted).TotalMilliseconds);
        Console.WriteLine(Invariant($"from zero #{i + 1}: spawn decision {reactions[^1]:F0} ms, pod started {starts[^1]:F0} ms, result at the client {colds[^1]:F0} ms (delayTime {result.Delay} ms, executionTime {result.Execution} ms)"));
    }

    // 3. Warm workers: minWorkers keeps them; each has taken a job before the measurement.
    (await http.PostAsJsonAsync($"/api/pools/{poolId}/scale", new { minWorkers = warmWorkers })).EnsureSuccessStatusCode();
    await UntilAsync(async () => (await HealthAsync(runpod)).GetProperty("workers").GetProperty("idle").GetInt32() >= warmWorkers, $"{warmWorkers} idle workers");
    for (var i = 0; i < 50; i++)
    {
        await RunSyncAsync(runpod, i);
    }

    var load = File.ReadAllText("/proc/loadavg").Trim();
    var results = await OpenLoopAsync(runpod, rate, seconds);
    var latencies = results.Select(r => r.Ms).ToList();
    Console.WriteLine(Invariant($"warm, {warmWorkers} workers, {rate} jobs/s for {seconds} s (load average before {load}): n={latencies.Count} p50 {P(latencies, 0.50):F1} ms, p95 {P(latencies, 0.95):F1} ms, p99 {P(latencies, 0.99):F1} ms, max {latencies.Max():F1} ms; server delayTime median {P([.. results.Select(r => (double)r.Delay)], 0.5):F0} ms, executionTime median {P([.. results.Select(r => (double)r.Execution)], 0.5):F0} ms"));
    Console.WriteLine(Invariant($"scaler reaction (submit → spawn decision): median {P(reactions, 0.5):F0} ms, max {reactions.Max():F0} ms; submit → pod started median {P(starts, 0.5):F0} ms; cold start (submit → result) median {P(colds, 0.5):F0} ms, max {colds.Max():F0} ms"));
    Console.WriteLine(Invariant($"load average after: {File.ReadAllText("/proc/loadavg").Trim()}"));
    (await http.DeleteAsync($"/api/pools/{poolId}")).EnsureSuccessStatusCode();
    return 0;
}
finally
{
    server.Kill(entireProcessTree: true);
    await server.WaitForExitAsync();
    Console.WriteLine($"server log: {serverLog}");
}

static async Task<(double Ms, long Delay, long Execution)> RunSyncAsync(HttpClient runpod, int n)
{
    var clock = Stopwatch.StartNew();
    using var response = await runpod.PostAsync("runsync?wait=120000", new StringContent($$$"""{"input":{"n":{{{n}}}}}""", Encoding.UTF8, "application/json"));
    var body = await response.Content.ReadFromJsonAsync<JsonElement>();
    var ms = clock.Elapsed.TotalMilliseconds;
    if (!response.IsSuccessStatusCode || body.GetProperty("status").GetString() != "COMPLETED")
    {
        throw new InvalidOperationException($"unexpected answer {(int)response.StatusCode}: {body.GetRawText()}");
    }

    return (ms, body.GetProperty("delayTime").GetInt64(), body.GetProperty("executionTime").GetInt64());
}

static async Task<List<(double Ms, long Delay, long Execution)>> OpenLoopAsync(HttpClient runpod, int rate, int seconds)
{
    var total = rate * seconds;
    var tasks = new List<Task<(double, long, long)>>(total);
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < total; i++)
    {
        var due = TimeSpan.FromSeconds((double)i / rate);
        var wait = due - clock.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        var n = i;
        tasks.Add(Task.Run(() => RunSyncAsync(runpod, n)));
    }

    return [.. await Task.WhenAll(tasks)];
}

static async Task<JsonElement> WorkersAsync(HttpClient http, string poolId) =>
    (await http.GetFromJsonAsync<JsonElement>($"/api/pools/{poolId}")).GetProperty("workers");

static async Task<JsonElement> HealthAsync(HttpClient runpod) => await runpod.GetFromJsonAsync<JsonElement>("health");

static async Task UntilAsync(Func<Task<bool>> condition, string what)
{
    var clock = Stopwatch.StartNew();
    while (!await condition())
    {
        if (clock.Elapsed > TimeSpan.FromMinutes(3))
        {
            throw new TimeoutException($"waited 3 min for {what}");
        }

        await Task.Delay(100);
    }
}

static async Task<JsonElement> PostAsync(HttpClient http, string path, object body)
{
    using var response = await http.PostAsJsonAsync(path, body);
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
    }

    return JsonDocument.Parse(text).RootElement.Clone();
}

static async Task<JsonElement> UploadAsync(HttpClient http, string projectId, string name, string text)
{
    using var archive = new MemoryStream();
    await using (var gzip = new GZipStream(archive, CompressionLevel.Fastest, leaveOpen: true))
    await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
    {
        await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
    }

    using var content = new ByteArrayContent(archive.ToArray());
    content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
    using var response = await http.PostAsync($"/api/projects/{projectId}/sources", content);
    var body = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"upload: {(int)response.StatusCode} {body}");
    }

    return JsonDocument.Parse(body).RootElement.Clone();
}

static double P(IReadOnlyCollection<double> values, double quantile)
{
    var sorted = values.Order().ToList();
    var rank = (int)Math.Ceiling(quantile * sorted.Count);
    return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static async Task WaitReadyAsync(HttpClient http)
{
    for (var i = 0; i < 600; i++)
    {
        try
        {
            if ((await http.GetAsync("/healthz")).IsSuccessStatusCode)
            {
                return;
            }
        }
        catch (HttpRequestException)
        {
        }

        await Task.Delay(100);
    }

    throw new TimeoutException("the server did not start");
}

static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
