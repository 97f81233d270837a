#:project ../src/Poddle.Drivers.Sandbox/Poddle.Drivers.Sandbox.csproj
// Sandbox pod deploy-to-ready: from the StartAsync call to the first HTTP 200 on the pod's endpoint, for
// `python3 -m http.server` and busybox httpd, alternating, median (and p90) of N each. The pod is destroyed after each.
// Usage (from the repository root, as root for full isolation): dotnet run bench/sandbox-pod-start.cs -- 20
using System.Diagnostics;
using System.Globalization;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.Sandbox;
using Poddle.Drivers.Sandbox.Pods;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
var state = Directory.CreateTempSubdirectory("poddle-bench-pods-").FullName;
var source = Directory.CreateTempSubdirectory("poddle-bench-app-").FullName;
await File.WriteAllTextAsync(Path.Join(source, "index.html"), "<h1>hello</h1>\n");
File.SetUnixFileMode(state, (UnixFileMode)0b111_001_001);
var driver = new SandboxPodDriver(new SandboxOptions(), new SandboxPodOptions { StateDirectory = state });
var servers = new (string Name, string Script)[]
{
    ("python_http_server", "exec python3 -m http.server $PORT --bind 127.0.0.1"),
    ("busybox_httpd", "exec busybox httpd -f -p 127.0.0.1:$PORT -h /app"),
};
var results = servers.ToDictionary(s => s.Name, _ => new List<double>());
var startReturns = new List<double>();
using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
for (var i = 0; i < runs + 1; i++)
{
    foreach (var (name, script) in servers)
    {
        var labels = new Dictionary<string, string> { [PodLabels.Owner] = "bench", [PodLabels.Kind] = "bench", [PodLabels.Id] = "start" };
        var spec = new PodSpec("bench", labels, null, ["/bin/sh", "-c", script], source, new Dictionary<string, string>(), 8080, new PodResources(1000, 256));
        var clock = Stopwatch.StartNew();
        var handle = await driver.StartAsync(spec, CancellationToken.None);
        var startMs = clock.Elapsed.TotalMilliseconds;
        var endpoint = (await driver.InspectAsync(handle, CancellationToken.None)).Endpoint!;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"http://{endpoint}/"));
                if (response.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"{name} did not serve within 30 s");
            }

            await Task.Delay(2);
        }

        var ms = clock.Elapsed.TotalMilliseconds;
        await driver.DestroyAsync(handle, CancellationToken.None);
        if (i > 0)
        {
            results[name].Add(ms); // the first round warms the JIT and the page cache
            startReturns.Add(startMs);
        }
    }
}

Directory.Delete(state, recursive: true);
Directory.Delete(source, recursive: true);
static double Percentile(List<double> values, double p) => values.Order().ElementAt((int)Math.Min(values.Count - 1, Math.Floor(values.Count * p)));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"runs={runs} isolation={driver.Isolation.Level} load={File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"start_async_returns_median_ms={Percentile(startReturns, 0.5):F1}"));
foreach (var (name, values) in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}_start_to_http_200_median_ms={Percentile(values, 0.5):F1} p90_ms={Percentile(values, 0.9):F1} min_ms={values.Min():F1}"));
}

return 0;
