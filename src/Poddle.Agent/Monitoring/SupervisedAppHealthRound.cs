using Poddle.Agent.Health;
using Poddle.Agent.Tuning;
using Poddle.Contracts;

namespace Poddle.Agent.Monitoring;

/// <summary>
/// The round `poddle agent` runs: the check "app.process" from what the supervisor knows (running → healthy, starting
/// or stopped on request → skipped, back-off or exited → critical), followed by the checks of <paramref name="inner"/>
/// (the app's endpoint, CPU, memory, disk, GPU: <see cref="HealthRound"/>) when one is given. The process check is what
/// alerts on a crash even when no health URL is configured.
/// </summary>
public sealed class SupervisedAppHealthRound(PodEnvironment environment, TimeProvider time, IHealthRound? inner = null) : IHealthRound, IDisposable
{
    /// <inheritdoc />
    public async Task<AgentHealthReport> RunAsync(AgentAppState? app, CancellationToken cancellationToken)
    {
        var process = ProcessCheck(app);
        if (inner is null)
        {
            var status = process.Status == HealthStatus.Skipped ? HealthStatus.Healthy : process.Status;
            return new AgentHealthReport(status, time.GetUtcNow(), environment.PodId, environment.Kind, environment.Hostname, [process], app);
        }

        var report = await inner.RunAsync(app, cancellationToken);
        AgentCheckResult[] checks = [process, .. report.Checks];
        return report with { Status = HealthStatus.Worst(checks), Checks = checks, App = app };
    }

    /// <summary>Disposes the inner round (its HTTP client).</summary>
    public void Dispose() => (inner as IDisposable)?.Dispose();

    private static AgentCheckResult ProcessCheck(AgentAppState? app)
    {
        var check = app?.State switch
        {
            AgentAppStates.Running => new AgentCheckResult("app.process", HealthStatuses.Healthy, null, null, null, $"pid {app.Pid}, {app.Restarts} restart(s)"),
            // Starting lasts milliseconds (the fork); it says nothing yet about the app, so it is no alert's business.
            AgentAppStates.Starting => new AgentCheckResult("app.process", HealthStatuses.Skipped, null, null, null, "starting"),
            // Stopped on request (SIGTERM): the end the operator asked for, not a failure to alert about.
            AgentAppStates.Stopped => new AgentCheckResult("app.process", HealthStatuses.Skipped, null, null, null, $"stopped on request, exit code {app.LastExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}"),
            null => new AgentCheckResult("app.process", HealthStatuses.Skipped, null, null, null, "no app supervised"),
            var state => new AgentCheckResult("app.process", HealthStatuses.Critical, null, null, null,
                $"{state}, last exit code {app.LastExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, {app.Restarts} restart(s)"),
        };
        return check;
    }
}
