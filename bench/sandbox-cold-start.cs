#:project ../src/Poddle.Drivers.Sandbox/Poddle.Drivers.Sandbox.csproj
// Cold sandbox start-up against bare python3, measured side by side in one run.
// Usage (from the repository root, as root for full isolation): dotnet run bench/sandbox-cold-start.cs -- 30
using System.Diagnostics;
using System.Globalization;
using Poddle.Drivers.Sandbox;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
var runner = new SandboxRunner(new SandboxOptions());
var bare = new List<double>();
var sandboxed = new List<double>();
var reportedWall = new List<double>();
for (var i = 0; i < runs; i++)
{
    // Alternate the two so background noise hits both alike.
    var watch = Stopwatch.StartNew();
    using (var process = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", "pass"]) { UseShellExecute = false })!)
    {
        await process.WaitForExitAsync();
    }

    bare.Add(watch.Elapsed.TotalMilliseconds);

    watch.Restart();
    var result = await runner.RunAsync(new SandboxRequest(["python3", "-c", "pass"]), CancellationToken.None);
    sandboxed.Add(watch.Elapsed.TotalMilliseconds);
    reportedWall.Add(result.WallMs);
    if (result.Verdict != SandboxVerdict.Ok)
    {
        Console.Error.WriteLine($"run {i}: {result.Verdict}");
        return 1;
    }
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"runs={runs} isolation={runner.Isolation.Level} bare_python_median_ms={Median(bare):F1} sandbox_runasync_median_ms={Median(sandboxed):F1} sandbox_wall_median_ms={Median(reportedWall):F1} ratio={Median(sandboxed) / Median(bare):F2}"));
return 0;
