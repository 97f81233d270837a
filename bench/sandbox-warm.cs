#:project ../src/Poddle.Drivers.Sandbox/Poddle.Drivers.Sandbox.csproj
// Warm pool against cold sandbox against bare python3, measured side by side in one run (alternating).
// Usage (from the repository root, as root for full isolation): dotnet run bench/sandbox-warm.cs -- 30
// "start latency" is from the ExecuteAsync call to the first line of the user's program (CLOCK_MONOTONIC is shared
// with the sandbox, which has no time namespace): for the warm pool, the hand-out.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Poddle.Drivers.Abstractions.Execution;
using Poddle.Drivers.Sandbox;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
const string Hello = "import time\nt = time.monotonic_ns()\nprint('hello', t)\n";

var coldOptions = new SandboxExecutionOptions { VerifyLanguages = false };
coldOptions.Languages.Add("python");
coldOptions.WarmPool.Enabled = false;
var warmOptions = new SandboxExecutionOptions { VerifyLanguages = false };
warmOptions.Languages.Add("python");
await using var cold = await SandboxCodeExecutor.StartAsync(coldOptions);
await using var warm = await SandboxCodeExecutor.StartAsync(warmOptions);
var python = cold.Runtimes.Single().Toolchain;
var request = new CodeExecutionRequest("python", [new CodeFile("main.py", Encoding.UTF8.GetBytes(Hello))]);
var workDir = Directory.CreateTempSubdirectory("poddle-bench-").FullName;
await File.WriteAllTextAsync(Path.Join(workDir, "main.py"), Hello);

var bare = new List<double>();
var coldTotal = new List<double>();
var coldStart = new List<double>();
var warmTotal = new List<double>();
var warmStart = new List<double>();
var warmWall = new List<double>();
var warmCpu = new List<double>();
for (var i = 0; i < runs + 1; i++)
{
    await WaitReadyAsync(warm);
    var watch = Stopwatch.StartNew();
    using (var process = Process.Start(new ProcessStartInfo(python, ["-u", "main.py"]) { UseShellExecute = false, WorkingDirectory = workDir, RedirectStandardOutput = true })!)
    {
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
    }

    var bareMs = watch.Elapsed.TotalMilliseconds;
    var (coldMs, coldStartMs, _) = await MeasureAsync(cold);
    await WaitReadyAsync(warm);
    var (warmMs, warmStartMs, warmResult) = await MeasureAsync(warm);
    if (i == 0)
    {
        continue; // warm-up of the JIT and the page cache
    }

    bare.Add(bareMs);
    coldTotal.Add(coldMs);
    coldStart.Add(coldStartMs);
    warmTotal.Add(warmMs);
    warmStart.Add(warmStartMs);
    warmWall.Add(warmResult.Run!.WallMs);
    warmCpu.Add(warmResult.Run.CpuMs);
}

Directory.Delete(workDir, recursive: true);
var stats = warm.GetPoolStats().Single();
static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
    runs={runs} isolation={warm.Health.Level} python={warm.Runtimes.Single().Version} pool_hits={stats.Hits} pool_misses={stats.Misses}
    bare_python_hello_median_ms={Median(bare):F1}
    cold_execute_median_ms={Median(coldTotal):F1} cold_start_latency_median_ms={Median(coldStart):F1}
    warm_execute_median_ms={Median(warmTotal):F1} warm_start_latency_median_ms={Median(warmStart):F1} warm_wall_median_ms={Median(warmWall):F1} warm_cpu_median_ms={Median(warmCpu):F1}
    ratio_warm_execute/bare={Median(warmTotal) / Median(bare):F2} ratio_cold_execute/bare={Median(coldTotal) / Median(bare):F2}
    """));
return 0;

async Task<(double TotalMs, double StartMs, CodeExecutionResult Result)> MeasureAsync(SandboxCodeExecutor executor)
{
    var start = Stopwatch.GetTimestamp();
    var result = await executor.ExecuteAsync(request, CancellationToken.None);
    var total = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    var output = Encoding.UTF8.GetString(result.Run?.Stdout ?? []).Split(' ');
    if (result.Verdict != ExecutionVerdict.Ok || output.Length != 2 || output[0] != "hello")
    {
        throw new InvalidOperationException($"{result.Verdict}: {result.Run?.Message} {Encoding.UTF8.GetString(result.Run?.Stderr ?? [])}");
    }

    // Stopwatch ticks are CLOCK_MONOTONIC nanoseconds on Linux, the clock time.monotonic_ns() reads.
    var programStart = long.Parse(output[1], CultureInfo.InvariantCulture);
    var startMs = (programStart - start) * 1000.0 / Stopwatch.Frequency;
    return (total, startMs, result);
}

static async Task WaitReadyAsync(SandboxCodeExecutor executor)
{
    for (var i = 0; i < 400 && executor.GetPoolStats().Single().Ready == 0; i++)
    {
        await Task.Delay(25);
    }

    await Task.Delay(50); // let the refill's own work settle so it does not share the CPU with the measured run
}
