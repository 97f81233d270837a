using Poddle.Agent.Tuning;
using System.Globalization;
using Poddle.Agent.Gpu;
using Poddle.Agent.Health;
using Poddle.Contracts;

namespace Poddle.Agent.Diagnostics;

/// <summary>What `poddle diagnose` looks at.</summary>
public sealed class DiagnoseOptions
{
    public const string DefaultLogPath = "/tmp/poddle-agent.log";

    /// <summary>http(s) URLs to GET and host:port (or tcp://host:port) to connect to.</summary>
    public IList<string> Endpoints { get; init; } = [];

    public TimeSpan EndpointTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The agent's log file, scanned for recent errors and warnings.</summary>
    public string LogPath { get; init; } = DefaultLogPath;

    public int LogLines { get; init; } = 20;

    /// <summary>The health report the agent writes.</summary>
    public string ReportPath { get; init; } = HealthReportWriter.DefaultPath;

    /// <summary>A report older than this means the agent stopped reporting (the default is ten 30 s periods).</summary>
    public TimeSpan ReportMaxAge { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Processes' CPU use is measured over this interval.</summary>
    public TimeSpan ProcessSampleInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The busiest processes listed (0: all).</summary>
    public int TopProcesses { get; init; } = 25;

    /// <summary>Where processes, listening sockets and the pod's identity are read (the checks read <see cref="HealthCheckOptions.ProcRoot"/>).</summary>
    public string ProcRoot { get; init; } = "/proc";

    /// <summary>Thresholds, roots and nvidia-smi for the machine's checks (and the app's, when it has a URL).</summary>
    public HealthCheckOptions Health { get; init; } = new();

    /// <summary>The environment to show (masked).</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();
}

/// <summary>The tail of the agent's log.</summary>
public sealed record LogSummary(string Path, bool Found, string? Error, IReadOnlyList<string> Lines);

/// <summary>The last health report the agent wrote, and how old it is.</summary>
public sealed record LastReportSummary(string Path, bool Found, double? AgeSeconds, string? Status, string? Error, AgentHealthReport? Report);

/// <summary>`poddle diagnose --json`: everything looked at, and the problems found (empty when all is well).</summary>
public sealed record DiagnosticReport(
    DateTimeOffset Timestamp,
    string Status,
    IReadOnlyList<string> Problems,
    string Environment,
    string? PodId,
    string Hostname,
    IReadOnlyDictionary<string, string> Variables,
    IReadOnlyList<ProcessInfo> Processes,
    IReadOnlyList<ListeningSocket> ListeningPorts,
    IReadOnlyList<EndpointResult> Endpoints,
    IReadOnlyList<AgentCheckResult> Checks,
    IReadOnlyList<GpuDevice> Gpus,
    LogSummary Log,
    LastReportSummary LastReport);

/// <summary>Gathers a <see cref="DiagnosticReport"/>; never throws for what it finds, only lists it.</summary>
public sealed class Diagnoser
{
    public const string StatusOk = "ok";
    public const string StatusProblems = "problems";

    private readonly DiagnoseOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;

    public Diagnoser(DiagnoseOptions options, HttpClient http, TimeProvider? time = null)
    {
        _options = options;
        _http = http;
        _time = time ?? TimeProvider.System;
    }

    public async Task<DiagnosticReport> RunAsync(CancellationToken cancellationToken)
    {
        var procRoot = _options.ProcRoot;
        var identity = PodEnvironment.Detect(name => _options.Variables.TryGetValue(name, out var value) ? value : null, procRoot: procRoot);
        var problems = new List<string>();

        var processesTask = ProcessTable.ReadAsync(procRoot, _options.ProcessSampleInterval, _time, cancellationToken);
        var probe = new EndpointProbe(_http, _options.EndpointTimeout, _time);
        var endpointsTask = Task.WhenAll(_options.Endpoints.Select(e => probe.ProbeAsync(e, cancellationToken)));
        using var round = new HealthRound(_options.Health, _time, _http, identity);
        var healthTask = round.RunAsync(null, cancellationToken);
        var gpusTask = new NvidiaSmi(_options.Health.NvidiaSmiCommand).QueryGpusAsync(cancellationToken);

        var processes = await processesTask;
        var endpoints = await endpointsTask;
        var health = await healthTask;
        var gpus = await gpusTask;

        problems.AddRange(endpoints.Where(e => !e.Reachable).Select(e => e.Message));
        problems.AddRange(health.Checks.Where(c => c.Status is HealthStatus.Degraded or HealthStatus.Critical).Select(c => $"{c.Name} {c.Status}: {c.Message}"));

        var log = ReadLog();
        var last = ReadLastReport();
        if (last.Found && last.Status is not HealthStatus.Healthy)
        {
            problems.Add($"the last health report ({Age(last.AgeSeconds)} old) is {last.Status}: {Summary(last.Report)}");
        }

        if (last.Found && last.AgeSeconds > _options.ReportMaxAge.TotalSeconds)
        {
            problems.Add($"the last health report is {Age(last.AgeSeconds)} old (more than {Age(_options.ReportMaxAge.TotalSeconds)}): is the agent running?");
        }

        if (last.Error is not null && last.Found)
        {
            problems.Add(last.Error);
        }

        var variables = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in _options.Variables)
        {
            variables[name] = SecretMasker.MaskVariable(name, value);
        }

        return new DiagnosticReport(
            _time.GetUtcNow(),
            problems.Count == 0 ? StatusOk : StatusProblems,
            problems,
            identity.Kind,
            identity.PodId,
            identity.Hostname,
            variables,
            _options.TopProcesses > 0 ? processes.Take(_options.TopProcesses).ToList() : processes,
            ListeningPorts.Read(procRoot),
            endpoints,
            health.Checks,
            gpus.Gpus,
            log,
            last);
    }

    private LogSummary ReadLog()
    {
        if (!File.Exists(_options.LogPath))
        {
            return new LogSummary(_options.LogPath, false, "no log at " + _options.LogPath, []);
        }

        try
        {
            return new LogSummary(_options.LogPath, true, null, LogScanner.RecentProblems(_options.LogPath, _options.LogLines));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new LogSummary(_options.LogPath, true, $"cannot read {_options.LogPath}: {ex.Message}", []);
        }
    }

    private LastReportSummary ReadLastReport()
    {
        var path = _options.ReportPath;
        var report = HealthReportWriter.TryRead(path, out var error);
        if (report is null)
        {
            return new LastReportSummary(path, File.Exists(path), null, null, error, null);
        }

        var age = Math.Round(Math.Max((_time.GetUtcNow() - report.Timestamp).TotalSeconds, 0), 1);
        return new LastReportSummary(path, true, age, report.Status, null, report);
    }

    private static string Summary(AgentHealthReport? report) =>
        report is null ? string.Empty
            : string.Join("; ", report.Checks.Where(c => c.Status is HealthStatus.Degraded or HealthStatus.Critical).Select(c => $"{c.Name} {c.Status} ({c.Message})"));

    /// <summary>"42 s", "5 min", "3 h".</summary>
    public static string Age(double? seconds) => seconds switch
    {
        null => "?",
        < 120 => seconds.Value.ToString("0", CultureInfo.InvariantCulture) + " s",
        < 7200 => (seconds.Value / 60).ToString("0", CultureInfo.InvariantCulture) + " min",
        _ => (seconds.Value / 3600).ToString("0.#", CultureInfo.InvariantCulture) + " h",
    };
}
