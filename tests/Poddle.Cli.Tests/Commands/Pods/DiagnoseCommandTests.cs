using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Poddle.Cli.Tests.Commands.Pods;

/// <summary>`poddle diagnose` on this machine, through the real CLI entry point.</summary>
public sealed class DiagnoseCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("poddle-diagnose-").FullName;

    public DiagnoseCommandTests()
    {
        _cli.Variables["PODDLE_AGENT_TOKEN"] = "pdl_do_not_print_me";
        _cli.Variables["DATABASE_URL"] = "postgres://poddle:hunter2@db:5432/poddle";
        _cli.Variables["PORT"] = "8080";
    }

    public void Dispose()
    {
        _cli.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task RealMachine_RefusedEndpoint_Exit1_SaysWhat_ShowsOurListener_MasksSecrets()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var open = ((IPEndPoint)listener.LocalEndpoint).Port;
        var closed = ClosedPort();
        File.WriteAllLines(Path.Combine(_dir, "agent.log"), ["info: started", "fail: app exited with code 137"]);

        var run = await _cli.RunAsync("diagnose", "--endpoint", $"127.0.0.1:{open}", "--endpoint", $"http://127.0.0.1:{closed}/health",
            "--log", Path.Combine(_dir, "agent.log"), "--report", Path.Combine(_dir, "none.json"));

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains($"  - endpoint http://127.0.0.1:{closed}/health unreachable: connection refused", run.Stdout, StringComparison.Ordinal);
        var lines = run.Stdout.Split('\n');
        Assert.Contains(lines, l => l.TrimStart().StartsWith(open + " ", StringComparison.Ordinal) && l.Contains("127.0.0.1", StringComparison.Ordinal) && l.Contains(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        Assert.Contains("fail: app exited with code 137", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("PODDLE_AGENT_TOKEN=****", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("DATABASE_URL=postgres://poddle:****@db:5432/poddle", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("PORT=8080", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("pdl_do_not_print_me", run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.Contains("no health report at " + Path.Combine(_dir, "none.json"), run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_DocumentOnStdout_ProblemsAlsoOnStderr()
    {
        var closed = ClosedPort();

        var run = await _cli.RunAsync("diagnose", "--json", "--endpoint", $"127.0.0.1:{closed}", "--report", Path.Combine(_dir, "none.json"), "--log", Path.Combine(_dir, "none.log"));

        Assert.Equal(1, run.ExitCode);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("problems", json.GetProperty("status").GetString());
        Assert.Contains($"endpoint 127.0.0.1:{closed} unreachable: connection refused", json.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("****", json.GetProperty("variables").GetProperty("PODDLE_AGENT_TOKEN").GetString());
        Assert.True(json.GetProperty("processes").GetArrayLength() > 0);
        Assert.Contains($"endpoint 127.0.0.1:{closed} unreachable: connection refused", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NothingWrong_Exit0()
    {
        // A still temp /proc: this busy machine's real CPU use must not decide the exit code.
        var proc = Directory.CreateDirectory(Path.Combine(_dir, "proc")).FullName;
        File.WriteAllText(Path.Combine(proc, "stat"), "cpu  1 0 1 8 0 0 0 0 0 0\n");
        File.WriteAllText(Path.Combine(proc, "meminfo"), "MemTotal: 1000000 kB\nMemAvailable: 900000 kB\n");
        var report = Path.Combine(_dir, "health-report.json");
        File.WriteAllText(report, $$"""{"status":"healthy","timestamp":"{{DateTimeOffset.UtcNow.AddSeconds(-10):O}}","environment":"linux","hostname":"h","checks":[]}""");

        var run = await _cli.RunAsync("diagnose", "--proc-root", proc, "--cgroup-root", proc, "--report", report, "--log", Path.Combine(_dir, "none.log"), "--disk", "100", "--critical-disk", "100");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("No problems found.", run.Stdout, StringComparison.Ordinal);
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(report)}: healthy, 1[0-9] s old", run.Stdout);
    }
}
