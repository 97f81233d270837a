#:property PublishAot=false
// End-to-end code execution through HTTP, measured side by side with bare python3 in one run:
//   - bare `python3 -c pass`: wall median, and its CPU cost (getrusage of children) → what 2 cores allow per second
//   - hello world through POST /api/execution/submit?wait=true at fixed rates (open loop): p50/p95/p99
//   - the highest sustained executions/s (closed loop, N concurrent clients)
// It starts `poddle serve` (the Release build) as a separate process with SQLite in a temporary directory.
// Usage (repository root, as root for full isolation; build first: dotnet build -c Release):
//   dotnet run bench/execution-load.cs -- [seconds-per-rate=20] [sustained-seconds=20]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
var sustainedSeconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
var root = Directory.GetCurrentDirectory();
var dll = Path.Combine(root, "src/Poddle.Cli/bin/Release/net10.0/poddle.dll");
if (!File.Exists(dll))
{
    Console.Error.WriteLine($"{dll} is missing: run `dotnet build -c Release` first.");
    return 2;
}

// 1. Bare python3, before the server exists (nothing else runs).
var (bareMedian, bareCpuMs) = BarePython(40);
Console.WriteLine(Invariant($"bare python3 -c pass: wall median {bareMedian:F1} ms, CPU {bareCpuMs:F1} ms per start"));
var machineAllows = Environment.ProcessorCount * 1000.0 / bareCpuMs;
Console.WriteLine(Invariant($"machine allows ≈ {Environment.ProcessorCount} cores / {bareCpuMs:F1} ms = {machineAllows:F0} python starts/s"));

// 2. The server.
var dataDir = Directory.CreateTempSubdirectory("poddle-bench-").FullName;
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
using var server = Process.Start(start)!;
using var log = File.CreateText(serverLog);
server.OutputDataReceived += (_, e) => { lock (log) { log.WriteLine(e.Data); } };
server.ErrorDataReceived += (_, e) => { lock (log) { log.WriteLine(e.Data); } };
server.BeginOutputReadLine();
server.BeginErrorReadLine();
try
{
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
    await WaitReadyAsync(http);
    var login = await http.PostAsJsonAsync("/api/auth/login", new { login = "admin", password = "bench-admin-password" });
    login.EnsureSuccessStatusCode();
    var access = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
    var token = await http.PostAsJsonAsync("/api/tokens", new { name = "bench" });
    token.EnsureSuccessStatusCode();
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString());

    // Warm-up: JIT, connection pool, the warm pool's first fill.
    for (var i = 0; i < 30; i++)
    {
        await HelloAsync(http);
    }

    foreach (var rate in new[] { 10, 50 })
    {
        var latencies = await OpenLoopAsync(http, rate, seconds);
        Console.WriteLine(Invariant($"{rate} req/s for {seconds} s: n={latencies.Count} p50 {P(latencies, 0.50):F1} ms, p95 {P(latencies, 0.95):F1} ms, p99 {P(latencies, 0.99):F1} ms, max {latencies.Max():F1} ms"));
    }

    foreach (var clients in new[] { 4, 8, 16 })
    {
        var (perSecond, p50) = await ClosedLoopAsync(http, clients, sustainedSeconds);
        Console.WriteLine(Invariant($"sustained, {clients} clients for {sustainedSeconds} s: {perSecond:F1} executions/s (p50 {p50:F1} ms) = {perSecond / machineAllows * 100:F0}% of {machineAllows:F0}/s"));
    }

    var stats = await http.GetFromJsonAsync<JsonElement>("/api/execution/queue/stats");
    Console.WriteLine("queue stats: " + stats.GetRawText());
    var (bareAfter, cpuAfter) = BarePython(20);
    Console.WriteLine(Invariant($"bare python3 -c pass, after: wall median {bareAfter:F1} ms, CPU {cpuAfter:F1} ms per start"));
    return 0;
}
finally
{
    server.Kill(entireProcessTree: true);
    await server.WaitForExitAsync();
}

static async Task<double> HelloAsync(HttpClient http)
{
    var watch = Stopwatch.StartNew();
    using var response = await http.PostAsJsonAsync("/api/execution/submit?wait=true", new { language = "python", code = "print('hello, world')" });
    var body = await response.Content.ReadFromJsonAsync<JsonElement>();
    var elapsed = watch.Elapsed.TotalMilliseconds;
    if (response.StatusCode != HttpStatusCode.OK || body.GetProperty("verdict").GetString() != "ok" || body.GetProperty("stdout").GetString() != "hello, world\n")
    {
        throw new InvalidOperationException($"unexpected answer {(int)response.StatusCode}: {body.GetRawText()}");
    }

    return elapsed;
}

static async Task<List<double>> OpenLoopAsync(HttpClient http, int rate, int seconds)
{
    var total = rate * seconds;
    var tasks = new List<Task<double>>(total);
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < total; i++)
    {
        var due = TimeSpan.FromSeconds((double)i / rate);
        var wait = due - clock.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        tasks.Add(Task.Run(() => HelloAsync(http)));
    }

    return [.. await Task.WhenAll(tasks)];
}

static async Task<(double PerSecond, double P50)> ClosedLoopAsync(HttpClient http, int clients, int seconds)
{
    var stop = Stopwatch.StartNew();
    var all = new List<double>();
    var workers = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
    {
        var mine = new List<double>();
        while (stop.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            mine.Add(await HelloAsync(http));
        }

        return mine;
    })).ToList();
    foreach (var worker in workers)
    {
        all.AddRange(await worker);
    }

    return (all.Count / stop.Elapsed.TotalSeconds, P(all, 0.5));
}

static (double WallMedian, double CpuMsPerStart) BarePython(int runs)
{
    var walls = new List<double>();
    var before = ChildrenCpu();
    for (var i = 0; i < runs; i++)
    {
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", "pass"]) { UseShellExecute = false })!;
        process.WaitForExit();
        walls.Add(watch.Elapsed.TotalMilliseconds);
    }

    return (P(walls, 0.5), (ChildrenCpu() - before).TotalMilliseconds / runs);
}

static TimeSpan ChildrenCpu()
{
    var usage = new long[18];
    if (GetRusage(-1 /* RUSAGE_CHILDREN */, usage) != 0)
    {
        throw new InvalidOperationException("getrusage failed");
    }

    // struct rusage starts with ru_utime and ru_stime, each { long tv_sec; long tv_usec; } on 64-bit Linux.
    return TimeSpan.FromSeconds(usage[0] + usage[2]) + TimeSpan.FromMicroseconds(usage[1] + usage[3]);
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

[DllImport("libc", EntryPoint = "getrusage")]
static extern int GetRusage(int who, long[] usage);
