#:project ../src/Poddle.Drivers.Sandbox/Poddle.Drivers.Sandbox.csproj
// What a sandbox pod's own network namespace (pasta, Sandbox:Pods:Network=Isolated) costs against the host's network
// (Network=Host), side by side in one run: deploy-to-ready (StartAsync to the first HTTP 200 of busybox httpd) over N
// alternating rounds, then, on one pod of each, the latency of sequential keep-alive requests and the requests/s of
// concurrent ones through the pod's host port (the path the proxy takes). Medians. As root (isolated networks need it).
// Usage (from the repository root): dotnet run bench/sandbox-pod-network.cs -- 20
using System.Diagnostics;
using System.Globalization;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.Sandbox;
using Poddle.Drivers.Sandbox.Pods;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
var source = Directory.CreateTempSubdirectory("poddle-bench-app-").FullName;
await File.WriteAllTextAsync(Path.Join(source, "index.html"), "<h1>hello</h1>\n");
var modes = new[] { SandboxPodNetworkMode.Isolated, SandboxPodNetworkMode.Host };
var states = modes.ToDictionary(m => m, m => Directory.CreateTempSubdirectory($"poddle-bench-net-{m}-").FullName);
var drivers = modes.ToDictionary(m => m, m => new SandboxPodDriver(new SandboxOptions(), new SandboxPodOptions { StateDirectory = states[m], Network = m }));
using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
var ready = modes.ToDictionary(m => m, _ => new List<double>());

async Task<(PodHandle Handle, PodEndpoint Endpoint, double Ms)> StartAsync(SandboxPodDriver driver)
{
    var labels = new Dictionary<string, string> { [PodLabels.Owner] = "bench", [PodLabels.Kind] = "bench", [PodLabels.Id] = "network" };
    var spec = new PodSpec("bench", labels, null, ["/bin/sh", "-c", "exec busybox httpd -f -p 0.0.0.0:$PORT -h /app"], source, new Dictionary<string, string>(), 8080, new PodResources(1000, 256));
    var clock = Stopwatch.StartNew();
    var handle = await driver.StartAsync(spec, CancellationToken.None);
    var endpoint = (await driver.InspectAsync(handle, CancellationToken.None)).Endpoint!;
    while (true)
    {
        try
        {
            using var response = await http.GetAsync(new Uri($"http://{endpoint}/"));
            if (response.IsSuccessStatusCode)
            {
                return (handle, endpoint, clock.Elapsed.TotalMilliseconds);
            }
        }
        catch (HttpRequestException)
        {
            // Not listening yet.
        }

        if (clock.Elapsed > TimeSpan.FromSeconds(30))
        {
            throw new TimeoutException("the pod did not serve within 30 s");
        }

        await Task.Delay(2);
    }
}

for (var i = 0; i < runs + 1; i++)
{
    foreach (var mode in modes)
    {
        var (handle, _, ms) = await StartAsync(drivers[mode]);
        await drivers[mode].DestroyAsync(handle, CancellationToken.None);
        if (i > 0)
        {
            ready[mode].Add(ms); // the first round warms the JIT and the page cache
        }
    }
}

var latency = new Dictionary<SandboxPodNetworkMode, double>();
var throughput = new Dictionary<SandboxPodNetworkMode, double>();
foreach (var mode in modes)
{
    var (handle, endpoint, _) = await StartAsync(drivers[mode]);
    var uri = new Uri($"http://{endpoint}/index.html");
    using var client = new HttpClient();
    var samples = new List<double>();
    for (var i = 0; i < 2000; i++)
    {
        var clock = Stopwatch.StartNew();
        using (var response = await client.GetAsync(uri))
        {
            await response.Content.ReadAsByteArrayAsync();
        }

        samples.Add(clock.Elapsed.TotalMilliseconds);
    }

    latency[mode] = Percentile(samples.Skip(200).ToList(), 0.5);
    var done = 0;
    var deadline = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
    {
        using var worker = new HttpClient();
        while (deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            using var response = await worker.GetAsync(uri);
            await response.Content.ReadAsByteArrayAsync();
            Interlocked.Increment(ref done);
        }
    }));
    throughput[mode] = done / deadline.Elapsed.TotalSeconds;
    await drivers[mode].DestroyAsync(handle, CancellationToken.None);
}

foreach (var mode in modes)
{
    Directory.Delete(states[mode], recursive: true);
}

Directory.Delete(source, recursive: true);
static double Percentile(List<double> values, double p) => values.Order().ElementAt((int)Math.Min(values.Count - 1, Math.Floor(values.Count * p)));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"runs={runs} load={File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
foreach (var mode in modes)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{mode}: start_to_http_200_median_ms={Percentile(ready[mode], 0.5):F1} p90_ms={Percentile(ready[mode], 0.9):F1} request_p50_ms={latency[mode]:F3} requests_per_s_16={throughput[mode]:F0}"));
}

return 0;
