using System.CommandLine;
using System.Globalization;
using Poddle.Agent.Health;
using Poddle.Agent.Tuning;
using Poddle.Cli.Output;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Pods;

/// <summary>`poddle agent check`: one round of the agent's health checks, as a table or JSON; the exit code is the status.</summary>
internal sealed class AgentCheckCommand : CliCommand
{
    private readonly HealthCheckCliOptions _health = new();
    private readonly Option<string?> _report = new("--report") { Description = "Also write the report there, atomically (as the agent does each period)" };

    public AgentCheckCommand(CliEnvironment environment, GlobalOptions globals)
        : base("check", "Run the health checks once (app endpoint, CPU, memory, disk, GPU) and print the report: exit 0 healthy, 1 degraded, 2 critical", environment, globals)
    {
        _health.AddTo(this);
        Options.Add(_report);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var options = _health.Build(parse);
        using var round = new HealthRound(options, context.Environment.Time, identity: PodEnvironment.Detect(context.Environment.Variable, procRoot: options.ProcRoot));
        var result = await round.RunAsync(null, cancellationToken);
        if (parse.GetValue(_report) is { } path)
        {
            var writer = new HealthReportWriter(path);
            var error = await writer.WriteAsync(result, cancellationToken);
            result = result with { Checks = [.. result.Checks, writer.ReportCheck(error)] };
        }

        if (context.Output.Json)
        {
            context.Output.WriteJson(result, PoddleJsonContext.Default.AgentHealthReport);
        }
        else
        {
            Print(context.Output.Out, result);
        }

        // 0 healthy, 1 degraded, 2 critical: the agent's statuses, which scripts and probes rely on.
        return (ExitCode)HealthStatus.ExitCode(result.Status);
    }

    public static void Print(IAnsiConsole console, AgentHealthReport report)
    {
        var table = CliOutput.Table("CHECK", "STATUS", "VALUE", "THRESHOLD", "DETAIL");
        foreach (var check in report.Checks)
        {
            table.AddRow(
                new Text(check.Name),
                new Markup(Status(check.Status)),
                new Text(Value(check.Value, check.Unit)),
                new Text(Value(check.Threshold, check.Unit)),
                new Text(check.Message ?? string.Empty));
        }

        console.Write(table);
        console.MarkupLine($"{Markup.Escape(report.Hostname)} ({Markup.Escape(report.Environment)}{(report.PodId is null || report.PodId == report.Hostname ? "" : ", pod " + Markup.Escape(report.PodId))}): {Status(report.Status)}");
    }

    public static string Status(string status) => status switch
    {
        HealthStatus.Healthy => "[green]healthy[/]",
        HealthStatus.Degraded => "[yellow]degraded[/]",
        HealthStatus.Critical => "[red]critical[/]",
        _ => "[grey]" + Markup.Escape(status) + "[/]",
    };

    public static string Value(double? value, string? unit) =>
        value is null ? "-" : value.Value.ToString("0.##", CultureInfo.InvariantCulture) + (unit is "%" or "C" or "W" ? unit : unit is null ? "" : " " + unit);
}
