#:project ../src/Poddle.Drivers.Docker/Poddle.Drivers.Docker.csproj
#:property PublishAot=false
// Deploy-to-ready on the Docker driver: from StartAsync to the first HTTP 200 from busybox httpd in the offline test
// image (bash scripts/test-images.sh builds it), polling the reported endpoint every 10 ms as a readiness probe would.
// Usage (from the repository root, with Docker Engine running): dotnet run bench/docker-start.cs -- 20 [PublishedPort]
using System.Diagnostics;
using System.Globalization;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.Docker;

var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
var mode = args.Length > 1 ? Enum.Parse<DockerEndpointMode>(args[1]) : DockerEndpointMode.ContainerAddress;
await using var driver = new DockerPodDriver(new DockerDriverOptions { ImagePullPolicy = DockerImagePullPolicy.Never, EndpointMode = mode });
using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
var labels = new Dictionary<string, string> { [PodLabels.Owner] = "bench", [PodLabels.Kind] = "bench", [PodLabels.Id] = Guid.NewGuid().ToString("N")[..12] };
var spec = new PodSpec(
    "bench",
    labels,
    "poddle-test/busybox:latest",
    ["httpd", "-f", "-p", "8080", "-h", "/www"],
    null,
    new Dictionary<string, string>(),
    8080,
    new PodResources(500, 64));

var started = new List<double>();
var ready = new List<double>();
var destroyed = new List<double>();
for (var i = 0; i < runs + 1; i++)
{
    var clock = Stopwatch.StartNew();
    var handle = await driver.StartAsync(spec, CancellationToken.None);
    var startMs = clock.Elapsed.TotalMilliseconds;
    while (true)
    {
        if ((await driver.InspectAsync(handle, CancellationToken.None)).Endpoint is { } endpoint)
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
            }
        }

        if (clock.Elapsed > TimeSpan.FromSeconds(30))
        {
            throw new InvalidOperationException("no HTTP 200 within 30 s");
        }

        await Task.Delay(10);
    }

    var readyMs = clock.Elapsed.TotalMilliseconds;
    clock.Restart();
    await driver.DestroyAsync(handle, CancellationToken.None);
    if (i == 0)
    {
        continue; // warm-up: JIT, the engine's first container of the image
    }

    started.Add(startMs);
    ready.Add(readyMs);
    destroyed.Add(clock.Elapsed.TotalMilliseconds);
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
static double Max(List<double> values) => values.Max();
var health = await driver.CheckHealthAsync(CancellationToken.None);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
    runs={runs} mode={mode} engine="{health.Detail}"
    start_async_median_ms={Median(started):F0} max_ms={Max(started):F0}
    deploy_to_ready_median_ms={Median(ready):F0} max_ms={Max(ready):F0}
    destroy_median_ms={Median(destroyed):F0}
    """));
return 0;
