using System.CommandLine;
using System.Globalization;
using Poddle.Agent;
using Poddle.Agent.Diagnostics;
using Poddle.Agent.Health;
using Poddle.Cli.Output;
using Spectre.Console;

namespace Poddle.Cli.Commands.Pods;

/// <summary>`poddle diagnose`: what is wrong with this pod (or machine), without a server.</summary>
internal sealed class DiagnoseCommand : CliCommand
{
    /// <summary>Where the agent's log is looked for when --log is not given and $PODDLE_AGENT_LOG is not set.</summary>
    public const string LogVariable = "PODDLE_AGENT_LOG";

    private readonly HealthCheckCliOptions _health = new();
    private readonly Option<string[]> _endpoints = new("--endpoint") { Description = "An http(s) URL to GET or host:port to connect to (repeatable)" };
    private readonly Option<string?> _log = new("--log") { Description = $"The agent's log file (default ${LogVariable}, else {DiagnoseOptions.DefaultLogPath})" };
    private readonly Option<int> _logLines = new("--log-lines") { Description = "Recent error and warning lines shown", DefaultValueFactory = _ => 20 };
    private readonly Option<string> _report = new("--report") { Description = "The agent's health report", DefaultValueFactory = _ => HealthReportWriter.DefaultPath };
    private readonly Option<double> _reportMaxAge = new("--report-max-age") { Description = "Seconds after which the report is stale (the agent stopped)", DefaultValueFactory = _ => 300 };

    public DiagnoseCommand(CliEnvironment environment, GlobalOptions globals)
        : base("diagnose", "Diagnose this pod: environment (secrets masked), processes, listening ports, endpoints, CPU/memory/disk/GPU, the agent's log and last health report (exit 1 when something is wrong)", environment, globals)
    {
        _health.AddTo(this);
        foreach (var option in new Option[] { _endpoints, _log, _logLines, _report, _reportMaxAge })
        {
            Options.Add(option);
        }
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var environment = context.Environment;
        var checks = _health.Build(parse);
        if (parse.GetValue(_logLines) is < 0 or > 10_000)
        {
            throw CliException.Usage("--log-lines must be between 0 and 10000.");
        }

        var options = new DiagnoseOptions
        {
            Endpoints = parse.GetValue(_endpoints)?.ToList() ?? [],
            LogPath = parse.GetValue(_log) ?? environment.Variable(LogVariable) ?? DiagnoseOptions.DefaultLogPath,
            LogLines = parse.GetValue(_logLines),
            ReportPath = parse.GetValue(_report)!,
            ReportMaxAge = TimeSpan.FromSeconds(parse.GetValue(_reportMaxAge)),
            ProcRoot = checks.ProcRoot,
            Health = checks,
            Variables = environment.Variables,
        };
        using var http = new HttpClient(environment.HttpHandler ?? new SocketsHttpHandler { AllowAutoRedirect = false }, disposeHandler: environment.HttpHandler is null)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var result = await new Diagnoser(options, http, environment.Time).RunAsync(cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(result, AgentJsonContext.Default.DiagnosticReport);
            foreach (var problem in result.Problems)
            {
                context.Output.ErrorMessage(problem);
            }
        }
        else
        {
            Print(context.Output.Out, result);
        }

        return result.Problems.Count == 0 ? ExitCode.Ok : ExitCode.Error;
    }

    private static void Print(IAnsiConsole console, DiagnosticReport report)
    {
        void Heading(string title)
        {
            console.WriteLine();
            console.MarkupLine($"[bold]{Markup.Escape(title)}[/]");
        }

        console.MarkupLine($"[bold]{Markup.Escape(report.Hostname)}[/] ({Markup.Escape(report.Environment)}{(report.PodId is null || report.PodId == report.Hostname ? "" : ", pod " + Markup.Escape(report.PodId))}) at {report.Timestamp.ToString("u", CultureInfo.InvariantCulture)}");

        Heading("Checks");
        AgentCheckCommand.Print(console, new Contracts.AgentHealthReport(
            HealthStatus.Worst(report.Checks), report.Timestamp, report.PodId, report.Environment, report.Hostname, report.Checks));

        if (report.Gpus.Count > 0)
        {
            Heading("GPUs");
            var gpus = CliOutput.Table("GPU", "NAME", "UTIL", "MEMORY", "TEMP", "POWER", "PSTATE");
            foreach (var gpu in report.Gpus)
            {
                gpus.AddRow(
                    gpu.Index.ToString(CultureInfo.InvariantCulture), Markup.Escape(gpu.Name ?? "-"), AgentCheckCommand.Value(gpu.UtilizationPercent, "%"),
                    $"{AgentCheckCommand.Value(gpu.MemoryUsedMiB, "MiB")} / {AgentCheckCommand.Value(gpu.MemoryTotalMiB, "MiB")}",
                    AgentCheckCommand.Value(gpu.TemperatureC, "C"), $"{AgentCheckCommand.Value(gpu.PowerDrawW, "W")} / {AgentCheckCommand.Value(gpu.PowerLimitW, "W")}",
                    gpu.PerformanceState ?? "-");
            }

            console.Write(gpus);
        }

        if (report.Endpoints.Count > 0)
        {
            Heading("Endpoints");
            var table = CliOutput.Table("ENDPOINT", "KIND", "RESULT", "TIME");
            foreach (var endpoint in report.Endpoints)
            {
                table.AddRow(new Text(endpoint.Endpoint), new Text(endpoint.Kind), new Markup(endpoint.Reachable ? $"[green]{Markup.Escape(endpoint.Message)}[/]" : $"[red]{Markup.Escape(endpoint.Message)}[/]"), new Text(AgentCheckCommand.Value(endpoint.ElapsedMs, "ms")));
            }

            console.Write(table);
        }

        Heading("Listening TCP ports");
        var ports = CliOutput.Table("PORT", "ADDRESS", "PROTO", "PID", "PROCESS");
        foreach (var socket in report.ListeningPorts)
        {
            ports.AddRow(socket.Port.ToString(CultureInfo.InvariantCulture), socket.Address, socket.Protocol, socket.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-", Markup.Escape(socket.Process ?? "-"));
        }

        console.Write(ports);

        Heading("Processes (busiest first)");
        var processes = CliOutput.Table("PID", "NAME", "STATE", "CPU%", "MEM%", "RSS");
        foreach (var process in report.Processes.Take(15))
        {
            processes.AddRow(
                process.Pid.ToString(CultureInfo.InvariantCulture), Markup.Escape(process.Name), process.State,
                process.CpuPercent.ToString("0.0", CultureInfo.InvariantCulture), process.MemoryPercent.ToString("0.0", CultureInfo.InvariantCulture), HealthRound.Bytes(process.RssBytes));
        }

        console.Write(processes);

        Heading("Last health report");
        console.WriteLine(report.LastReport.Report is { } last
            ? $"{report.LastReport.Path}: {last.Status}, {Diagnoser.Age(report.LastReport.AgeSeconds)} old"
            : report.LastReport.Error ?? "none");

        Heading("Agent log");
        if (report.Log.Error is { } logError)
        {
            console.WriteLine(logError);
        }
        else if (report.Log.Lines.Count == 0)
        {
            console.WriteLine($"{report.Log.Path}: no recent errors or warnings");
        }
        else
        {
            foreach (var line in report.Log.Lines)
            {
                console.WriteLine(line);
            }
        }

        Heading("Environment (secrets masked)");
        foreach (var (name, value) in report.Variables)
        {
            console.WriteLine($"{name}={value}");
        }

        console.WriteLine();
        if (report.Problems.Count == 0)
        {
            console.MarkupLine("[green]No problems found.[/]");
        }
        else
        {
            console.MarkupLine($"[red]{report.Problems.Count} problem{(report.Problems.Count == 1 ? "" : "s")}:[/]");
            foreach (var problem in report.Problems)
            {
                console.MarkupLine($"  [red]-[/] {Markup.Escape(problem)}");
            }
        }
    }
}
