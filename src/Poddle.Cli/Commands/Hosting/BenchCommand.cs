using System.CommandLine;
using System.Globalization;
using Poddle.Agent.Bench;
using Poddle.Cli.Deployments;
using Poddle.Cli.Output;
using Spectre.Console;

namespace Poddle.Cli.Commands.Hosting;

/// <summary>
/// `poddle bench URL`: latency of the health endpoint, a page and an asset, then requests/s at each concurrency level
/// (docs/static-and-bench.md). Progress goes to standard error; the summary table to standard output, or the report
/// alone as JSON with --json. Exit 0 when no request failed, 1 otherwise.
/// </summary>
internal sealed class BenchCommand : CliCommand
{
    private readonly Argument<string> _url = new("url") { Description = "The target, e.g. http://localhost:8080 (a path in it is the page to load)" };
    private readonly Option<string> _duration = new("--duration", "-d") { Description = "How long each concurrency level runs (5s, 1m); the whole run is about levels × (duration + 1 s) plus the latency probes", DefaultValueFactory = _ => "5s" };
    private readonly Option<string> _concurrency = new("--concurrency", "-c") { Description = "Concurrent clients per level, comma-separated", DefaultValueFactory = _ => "1,8,32,64" };
    private readonly Option<string?> _asset = new("--asset") { Description = "A static asset's path (default: the first script or stylesheet of the page)" };
    private readonly Option<string?> _page = new("--page") { Description = "The page's path (default: the URL's path, else /)" };
    private readonly Option<string> _health = new("--health") { Description = "The health endpoint's path", DefaultValueFactory = _ => "/health.json" };
    private readonly Option<int> _requests = new("--requests", "-n") { Description = "Sequential requests for the health, page and asset latencies (each stops after 10 s)", DefaultValueFactory = _ => 200 };

    public BenchCommand(CliEnvironment environment, GlobalOptions globals)
        : base("bench", "Benchmark an HTTP target: health/page/asset latency, requests/s per concurrency level, compression and cache headers, the target's CPU and memory when local. A page that redirects within the target is measured where it leads", environment, globals)
    {
        Arguments.Add(_url);
        Options.Add(_duration);
        Options.Add(_concurrency);
        Options.Add(_asset);
        Options.Add(_page);
        Options.Add(_health);
        Options.Add(_requests);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var environment = context.Environment;
        var options = new BenchOptions
        {
            Url = ParseUrl(parse.GetValue(_url)!),
            Duration = Quantities.ParseDuration(parse.GetValue(_duration)!) is { } d && d > TimeSpan.Zero
                ? d
                : throw CliException.Usage($"--duration '{parse.GetValue(_duration)}' is not a duration (10s, 1m)."),
            Concurrency = ParseLevels(parse.GetValue(_concurrency)!),
            AssetPath = parse.GetValue(_asset),
            PagePath = parse.GetValue(_page),
            HealthPath = parse.GetValue(_health)!,
            Samples = parse.GetValue(_requests),
        };
        if (options.Validate() is { Count: > 0 } errors)
        {
            throw CliException.Usage(string.Join(Environment.NewLine, errors));
        }

        var report = await new HttpBenchmark(options, new ProgressLines(context.Output.Error), environment.Time).RunAsync(cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(report, BenchJsonContext.Default.BenchReport);
        }
        else
        {
            Print(context.Output.Out, report);
        }

        var failed = report.Health.Errors + report.Page.Errors + (report.Asset?.Errors ?? 0) + report.Levels.Sum(l => l.Errors);
        return failed == 0 ? ExitCode.Ok : ExitCode.Error;
    }

    private static Uri ParseUrl(string text)
    {
        var value = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw CliException.Usage($"'{text}' is not an http:// or https:// URL.");
    }

    private static int[] ParseLevels(string text)
    {
        var levels = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            levels.Add(int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var level) && level > 0
                ? level
                : throw CliException.Usage($"--concurrency '{text}': '{part}' is not a positive number (e.g. 1,8,32,64)."));
        }

        return [.. levels];
    }

    private static void Print(IAnsiConsole console, BenchReport report)
    {
        console.MarkupLineInterpolated($"[bold]{report.Url}[/]  ({report.DurationSeconds:0.#} s)");
        if (report.PageNote is { } note)
        {
            console.MarkupLineInterpolated($"[yellow]page:[/] {note}");
        }

        var probes = CliOutput.Table("probe", "path", "status", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "encoding", "cache-control");
        foreach (var (name, probe) in new[] { ("health", report.Health), ("page", report.Page), ("asset", report.Asset) })
        {
            if (probe is null)
            {
                probes.AddRow("asset", "(none found; pass --asset)", "", "", "", "", "", "", "", "");
                continue;
            }

            probes.AddRow(
                Markup.Escape(name),
                Markup.Escape(probe.Path),
                probe.Status?.ToString(CultureInfo.InvariantCulture) ?? "-",
                probe.Requests.ToString(CultureInfo.InvariantCulture),
                probe.Errors == 0 ? "0" : $"[red]{probe.Errors}[/]",
                Ms(probe.LatencyMs?.P50),
                Ms(probe.LatencyMs?.P95),
                Ms(probe.LatencyMs?.P99),
                probe.Headers is null ? "" : probe.Headers.Compressed ? Markup.Escape(probe.Headers.ContentEncoding!) : "[yellow]none[/]",
                probe.Headers is null ? "" : probe.Headers.Cacheable ? Markup.Escape(probe.Headers.CacheControl!) : $"[yellow]{Markup.Escape(probe.Headers.CacheControl ?? "none")}[/]");
        }

        console.Write(probes);
        var levels = CliOutput.Table("clients", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "target CPU %", "target RSS MB");
        foreach (var level in report.Levels)
        {
            levels.AddRow(
                level.Concurrency.ToString(CultureInfo.InvariantCulture),
                level.Requests.ToString(CultureInfo.InvariantCulture),
                level.Errors == 0 ? "0" : $"[red]{level.Errors}[/]",
                level.RequestsPerSecond.ToString("0", CultureInfo.InvariantCulture),
                Ms(level.LatencyMs?.P50),
                Ms(level.LatencyMs?.P95),
                Ms(level.LatencyMs?.P99),
                level.Target is null ? "-" : $"{level.Target.CpuPercentMean:0} (max {level.Target.CpuPercentMax:0})",
                level.Target is null ? "-" : level.Target.RssMbMax.ToString("0.0", CultureInfo.InvariantCulture));
        }

        console.Write(levels);
        console.WriteLine(report.Target is { } target
            ? $"target: {target.Name} (pid {string.Join(", ", target.Pids)})"
            : $"target: {report.TargetNote}");
    }

    private static string Ms(double? value) => value?.ToString("0.###", CultureInfo.InvariantCulture) ?? "-";

    /// <summary>
    /// Progress on standard error: a line when a phase starts and one when it ends, and on a terminal the running count
    /// redrawn in place every 250 ms.
    /// </summary>
    private sealed class ProgressLines(IAnsiConsole console) : IProgress<BenchProgress>
    {
        private readonly Lock _gate = new();

        public void Report(BenchProgress value)
        {
            lock (_gate)
            {
                var interactive = console.Profile.Capabilities.Ansi && console.Profile.Capabilities.Interactive;
                if (value.Fraction <= 0)
                {
                    console.MarkupLineInterpolated($"[grey]{value.Phase}:[/] {value.Detail}");
                }
                else if (value.Fraction >= 1)
                {
                    if (interactive)
                    {
                        console.Write(new ControlCode("\u001b[1A\u001b[2K"));
                    }

                    console.MarkupLineInterpolated($"[green]{value.Phase}:[/] {value.Detail}");
                }
                else if (interactive)
                {
                    console.Write(new ControlCode("\u001b[1A\u001b[2K"));
                    console.MarkupLineInterpolated($"[grey]{value.Phase}:[/] {value.Detail} [grey]({value.Fraction:P0})[/]");
                }
            }
        }
    }
}
