using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Poddle.Agent.Diagnostics;
using Poddle.Agent.Health;
using Poddle.Agent.Tests.Health;
using Poddle.Contracts;

namespace Poddle.Agent.Tests.Diagnostics;

public sealed class DiagnoserTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("poddle-diag-").FullName;
    private readonly HttpClient _http = new();
    private readonly TempTree _proc = new TempTree("poddle-proc-").Stat(1, 1, 1).Meminfo(1_000_000, 600_000);

    public void Dispose()
    {
        _http.Dispose();
        _proc.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private DiagnoseOptions Options(IEnumerable<string> endpoints, Dictionary<string, string>? variables = null) => new()
    {
        Endpoints = endpoints.ToList(),
        EndpointTimeout = TimeSpan.FromSeconds(2),
        LogPath = Path.Combine(_dir, "agent.log"),
        ReportPath = Path.Combine(_dir, "health-report.json"),
        ProcessSampleInterval = TimeSpan.FromMilliseconds(100),
        TopProcesses = 0,
        Variables = variables ?? new Dictionary<string, string>(),

        // Processes and sockets come from the real /proc; the CPU and memory checks from a still temp tree, so that a
        // busy shared build machine does not turn CPU into a "problem" here (the real /proc is measured in SystemMetersTests).
        Health = new HealthCheckOptions { ProcRoot = _proc.Root, CpuSampleInterval = TimeSpan.Zero },
    };

    [Fact]
    public async Task RealMachine_ListenerShown_RefusedEndpointIsAProblem_SecretsMasked()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var open = ((IPEndPoint)listener.LocalEndpoint).Port;
        var closed = EndpointProbeTests.ClosedPort();
        var variables = new Dictionary<string, string>
        {
            ["PODDLE_AGENT_TOKEN"] = "pdl_supersecret",
            ["DATABASE_URL"] = "postgres://poddle:pa55word@db/poddle",
            ["RUNPOD_POD_ID"] = "pod-xyz",
            ["PATH"] = "/usr/bin",
        };

        var report = await new Diagnoser(Options([$"127.0.0.1:{open}", $"http://127.0.0.1:{closed}/health"], variables), _http).RunAsync(CancellationToken.None);

        Assert.Equal(Diagnoser.StatusProblems, report.Status);
        Assert.Equal([$"endpoint http://127.0.0.1:{closed}/health unreachable: connection refused"], report.Problems);
        Assert.True(report.Endpoints[0].Reachable);
        Assert.Contains(report.ListeningPorts, s => s.Port == open && s.Pid == Environment.ProcessId);
        Assert.Contains(report.Processes, p => p.Pid == Environment.ProcessId);
        Assert.Equal("****", report.Variables["PODDLE_AGENT_TOKEN"]);
        Assert.Equal("postgres://poddle:****@db/poddle", report.Variables["DATABASE_URL"]);
        Assert.Equal(("runpod", "pod-xyz"), (report.Environment, report.PodId));
        Assert.Contains(report.Checks, c => c.Name == "memory" && c.Value == 40);
        Assert.Contains(report.Checks, c => c.Name == "disk:/" && c.Value is not null);
        Assert.False(report.Log.Found);
        Assert.False(report.LastReport.Found);
        var json = JsonSerializer.Serialize(report, AgentJsonContext.Default.DiagnosticReport);
        Assert.DoesNotContain("pdl_supersecret", json, StringComparison.Ordinal);
        Assert.DoesNotContain("pa55word", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NothingWrong_StatusOk_LogTailAndFreshHealthyReportShown()
    {
        File.WriteAllLines(Path.Combine(_dir, "agent.log"), ["info: started", "warn: slow answer from the app"]);
        await new HealthReportWriter(Path.Combine(_dir, "health-report.json")).WriteAsync(
            new AgentHealthReport("healthy", DateTimeOffset.UtcNow.AddSeconds(-20), "p", "linux", "h", []), CancellationToken.None);

        var report = await new Diagnoser(Options([]), _http).RunAsync(CancellationToken.None);

        Assert.Equal(Diagnoser.StatusOk, report.Status);
        Assert.Empty(report.Problems);
        Assert.Equal(["warn: slow answer from the app"], report.Log.Lines);
        Assert.Equal("healthy", report.LastReport.Status);
        Assert.InRange(report.LastReport.AgeSeconds ?? -1, 19, 60);
    }

    [Fact]
    public async Task StaleOrUnhealthyLastReport_IsAProblem()
    {
        await new HealthReportWriter(Path.Combine(_dir, "health-report.json")).WriteAsync(
            new AgentHealthReport("critical", DateTimeOffset.UtcNow.AddMinutes(-30), "p", "linux", "h",
                [new AgentCheckResult("app", "critical", 5000, null, "ms", "no answer from http://127.0.0.1:8080/health within 5 s")]),
            CancellationToken.None);

        var report = await new Diagnoser(Options([]), _http).RunAsync(CancellationToken.None);

        Assert.Equal(
            [
                "the last health report (30 min old) is critical: app critical (no answer from http://127.0.0.1:8080/health within 5 s)",
                "the last health report is 30 min old (more than 5 min): is the agent running?",
            ],
            report.Problems);
    }

    [Fact]
    public async Task MachineCheckOverThreshold_IsAProblemNamingTheValue()
    {
        var options = Options([]);
        options.Health.DiskPercent = 0.01;
        options.Health.CriticalDiskPercent = 100;

        var report = await new Diagnoser(options, _http).RunAsync(CancellationToken.None);

        var problem = Assert.Single(report.Problems);
        Assert.StartsWith("disk:/ degraded: ", problem, StringComparison.Ordinal);
        Assert.Matches(@"on /: [0-9.]+% ≥ 0\.01%$", problem);
    }
}
