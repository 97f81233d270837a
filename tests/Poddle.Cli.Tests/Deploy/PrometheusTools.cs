using System.Diagnostics;

namespace Poddle.Cli.Tests.Deploy;

/// <summary>
/// Debian's `prometheus` package (scripts/test.sh installs it): the server at /usr/bin/prometheus and promtool, which
/// check and unit-test the alert rules in deploy/prometheus. On CI (CI=true) a missing package fails the tests that
/// need it instead of skipping them: CI installs it.
/// </summary>
internal static class PrometheusTools
{
    public const string PromtoolPath = "/usr/bin/promtool";

    public const string ServerPath = "/usr/bin/prometheus";

    /// <summary>Why the tests cannot run here, or null when they can.</summary>
    public static string? Missing =>
        File.Exists(PromtoolPath) && File.Exists(ServerPath) ? null : $"needs Debian's prometheus ({ServerPath}, {PromtoolPath}); scripts/test.sh installs it";

    /// <summary>The skip reason of <see cref="PrometheusFactAttribute"/>: none on CI, where a missing package is a failure.</summary>
    public static string? SkipReason => Environment.GetEnvironmentVariable("CI") == "true" ? null : Missing;

    /// <summary>deploy/ of this repository.</summary>
    public static string DeployDirectory => Path.Combine(EndToEnd.PoolEndToEnd.RepositoryRoot(), "deploy");

    /// <summary>deploy/prometheus/*.rules.yml: the alert rule files.</summary>
    public static IReadOnlyList<string> RuleFiles =>
        [.. Directory.GetFiles(Path.Combine(DeployDirectory, "prometheus"), "*.rules.yml").Order(StringComparer.Ordinal)];

    /// <summary>deploy/prometheus/tests/*.yml: promtool's unit tests of the rules.</summary>
    public static IReadOnlyList<string> RuleTestFiles =>
        [.. Directory.GetFiles(Path.Combine(DeployDirectory, "prometheus", "tests"), "*.yml").Order(StringComparer.Ordinal)];

    /// <summary>deploy/grafana/*.json: the dashboards.</summary>
    public static IReadOnlyList<string> DashboardFiles =>
        [.. Directory.GetFiles(Path.Combine(DeployDirectory, "grafana"), "*.json").Order(StringComparer.Ordinal)];

    /// <summary>Runs promtool with <paramref name="args"/> to completion (bounded) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> PromtoolAsync(params string[] args)
    {
        if (Missing is { } missing)
        {
            Assert.Fail(missing);
        }

        var start = new ProcessStartInfo(PromtoolPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.Combine(DeployDirectory, "prometheus"),
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"promtool {string.Join(' ', args)} did not finish within 2 minutes");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
