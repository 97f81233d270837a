using System.CommandLine;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Poddle.Contracts;
using Poddle.Testing;

namespace Poddle.Cli.Tests.Commands.Pods;

/// <summary>
/// `poddle agent check` through the real CLI entry point; CPU and memory come from a still temp /proc so the exit
/// code does not depend on how busy this machine is.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed in DisposeAsync (IAsyncLifetime).")]
public sealed class AgentCheckCommandTests : IAsyncLifetime
{
    private readonly CliRunner _cli = new();
    private readonly string _proc = Directory.CreateTempSubdirectory("poddle-proc-").FullName;
    private WebApplication _app = null!;
    private Uri _health = null!;
    private int _status = 200;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_proc, "self"));
        File.WriteAllText(Path.Combine(_proc, "self", "cgroup"), "0::/\n");
        File.WriteAllText(Path.Combine(_proc, "stat"), "cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\n");
        File.WriteAllText(Path.Combine(_proc, "meminfo"), "MemTotal: 1000000 kB\nMemAvailable: 500000 kB\n");

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapGet("/health", (HttpContext context) =>
        {
            context.Response.StatusCode = _status;
            return context.Response.WriteAsync("""{"status":"healthy"}""");
        });
        await _app.StartAsync();
        _health = new Uri(new Uri(_app.Urls.First()), "/health");
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _cli.Dispose();
        Directory.Delete(_proc, recursive: true);
    }

    private Task<CliRun> CheckAsync(params string[] args) =>
        _cli.RunAsync(["agent", "check", "--proc-root", _proc, "--cgroup-root", _proc, "--disk-path", "/tmp", "--nvidia-smi", Path.Combine(_proc, "nvidia-smi"), .. args]);

    [Fact]
    public async Task HealthyApp_TableAndExit0()
    {
        var run = await CheckAsync("--url", _health.ToString(), "--body", "healthy");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Stdout.Split('\n');
        Assert.Contains(lines, l => l.Contains("CHECK", StringComparison.Ordinal) && l.Contains("THRESHOLD", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.TrimStart().StartsWith("app ", StringComparison.Ordinal) && l.Contains("healthy", StringComparison.Ordinal) && l.Contains("HTTP 200", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.TrimStart().StartsWith("memory ", StringComparison.Ordinal) && l.Contains("50%", StringComparison.Ordinal) && l.Contains("85%", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.TrimStart().StartsWith("gpu ", StringComparison.Ordinal) && l.Contains("skipped", StringComparison.Ordinal) && l.Contains("not found", StringComparison.Ordinal));
        Assert.EndsWith(": healthy", lines.Last(l => l.Length > 0).TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_IsTheReportAlone()
    {
        var run = await CheckAsync("--url", _health.ToString(), "--json");

        Assert.Equal(0, run.ExitCode);
        var report = JsonSerializer.Deserialize(run.Stdout, PoddleJsonContext.Default.AgentHealthReport)!;
        Assert.Equal("healthy", report.Status);
        Assert.Equal(["app", "cpu", "memory", "disk:/tmp", "gpu"], report.Checks.Select(c => c.Name));
        Assert.Equal(50, report.Checks.Single(c => c.Name == "memory").Value);
    }

    [Fact]
    public async Task Thresholds_Degraded1_Critical2()
    {
        var degraded = await CheckAsync("--memory", "40");
        var critical = await CheckAsync("--memory", "40", "--critical-memory", "45");

        Assert.True(degraded.ExitCode == 1, degraded.ToString());
        Assert.Contains("50% ≥ 40%", degraded.Stdout, StringComparison.Ordinal);
        Assert.True(critical.ExitCode == 2, critical.ToString());
        Assert.Contains("50% ≥ 45%", critical.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailingApp_Degraded()
    {
        _status = 500;

        var run = await CheckAsync("--url", _health.ToString(), "--json");

        Assert.Equal(1, run.ExitCode);
        var app = JsonSerializer.Deserialize(run.Stdout, PoddleJsonContext.Default.AgentHealthReport)!.Checks.Single(c => c.Name == "app");
        Assert.Equal("degraded", app.Status);
        Assert.StartsWith($"HTTP 500 from {_health}", app.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_WrittenWhenAsked_UnwritableIsASkippedCheck()
    {
        var path = Path.Combine(_proc, "health-report.json");

        var written = await CheckAsync("--report", path, "--json");
        var unwritable = await CheckAsync("--report", "/dev/null/health-report.json", "--json");

        Assert.Equal(0, written.ExitCode);
        Assert.Equal("healthy", JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("status").GetString());
        Assert.Equal(0, unwritable.ExitCode);
        var report = JsonSerializer.Deserialize(unwritable.Stdout, PoddleJsonContext.Default.AgentHealthReport)!.Checks.Single(c => c.Name == "report");
        Assert.Equal("skipped", report.Status);
        Assert.StartsWith("cannot write the health report to /dev/null/health-report.json", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadThresholds_UsageErrorNamingTheFlag()
    {
        var run = await CheckAsync("--cpu", "90", "--critical-cpu", "50");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--critical-cpu must be between --cpu (90) and 100 (got 50)", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Stdout);
    }
}
