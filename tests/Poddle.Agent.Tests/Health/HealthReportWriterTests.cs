using System.Text.Json;
using Poddle.Agent.Health;
using Poddle.Contracts;

namespace Poddle.Agent.Tests.Health;

public sealed class HealthReportWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("poddle-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static AgentHealthReport Report(string status, int n = 0) => new(
        status,
        DateTimeOffset.UnixEpoch.AddSeconds(n),
        "pod-1",
        "docker",
        "host",
        [new AgentCheckResult("cpu", status, 42.5 + n, 80, "%", new string('x', 2000)), new AgentCheckResult("gpu", "skipped", null, null, null, "nvidia-smi not found")],
        new AgentAppState("running", 7, 0, null, null));

    [Fact]
    public async Task Write_ThenRead_RoundTripsAsJsonAndLeavesNoTempFile()
    {
        var writer = new HealthReportWriter(Path.Combine(_dir, "health-report.json"));

        var error = await writer.WriteAsync(Report("degraded"), CancellationToken.None);

        Assert.Null(error);
        Assert.Equal(["health-report.json"], Directory.GetFiles(_dir).Select(Path.GetFileName));
        var json = JsonDocument.Parse(File.ReadAllText(writer.Path)).RootElement;
        Assert.Equal("degraded", json.GetProperty("status").GetString());
        Assert.Equal("cpu", json.GetProperty("checks")[0].GetProperty("name").GetString());
        Assert.Equal(80, json.GetProperty("checks")[0].GetProperty("threshold").GetDouble());
        var read = HealthReportWriter.TryRead(writer.Path, out var readError);
        Assert.Null(readError);
        Assert.Equal(Report("degraded").Checks, read!.Checks);
        Assert.Equal(("healthy", "written to " + writer.Path), (writer.ReportCheck(null).Status, writer.ReportCheck(null).Message));
    }

    [Fact]
    public async Task Write_WhileAReaderPolls_TheReaderNeverSeesHalfAReport()
    {
        var writer = new HealthReportWriter(Path.Combine(_dir, "health-report.json"));
        await writer.WriteAsync(Report("healthy"), CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var reads = 0;
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                // Throws JsonException on a torn file; fails the test through the awaited task.
                JsonSerializer.Deserialize(File.ReadAllBytes(writer.Path), PoddleJsonContext.Default.AgentHealthReport);
                Interlocked.Increment(ref reads);
            }
        });
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref reads) > 0, TimeSpan.FromSeconds(10)));

        for (var i = 0; i < 200; i++)
        {
            Assert.Null(await writer.WriteAsync(Report(i % 2 == 0 ? "healthy" : "critical", i), CancellationToken.None));
        }

        await stop.CancelAsync();
        await reader;
        Assert.True(reads > 1);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(199), HealthReportWriter.TryRead(writer.Path, out _)!.Timestamp);
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Theory]
    [InlineData("/dev/null/health-report.json")] // the parent is not a directory
    [InlineData("/proc/health-report.json")] // procfs refuses new files, even to root
    [InlineData("/no/such/dir/health-report.json")]
    public async Task Write_UnwritablePath_ReturnsWhyAndNeverThrows(string path)
    {
        var writer = new HealthReportWriter(path);

        var error = await writer.WriteAsync(Report("healthy"), CancellationToken.None);

        Assert.StartsWith($"cannot write the health report to {path}: ", error, StringComparison.Ordinal);
        var check = writer.ReportCheck(error);
        Assert.Equal(("report", HealthStatus.Skipped, error), (check.Name, check.Status, check.Message));
    }

    [Fact]
    public void TryRead_MissingOrGarbage_SaysWhy()
    {
        var garbage = Path.Combine(_dir, "garbage.json");
        File.WriteAllText(garbage, "{not json");

        Assert.Null(HealthReportWriter.TryRead(Path.Combine(_dir, "none.json"), out var missing));
        Assert.Null(HealthReportWriter.TryRead(garbage, out var bad));
        Assert.Equal("no health report at " + Path.Combine(_dir, "none.json"), missing);
        Assert.StartsWith("cannot read the health report at " + garbage, bad, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultPath_IsTmpHealthReport() => Assert.Equal("/tmp/health-report.json", new HealthReportWriter().Path);
}
