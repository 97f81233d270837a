using Poddle.Agent.Health;
using Poddle.Agent.Tuning;
using Poddle.Contracts;

namespace Poddle.Agent.Monitoring;

/// <summary>
/// A health round of one check, "app.process", from what the supervisor knows: running → healthy, starting or stopped
/// on request → skipped, back-off or exited → critical. It is what `poddle agent` runs when no fuller round (HTTP, CPU, memory, disk, GPU) is
/// plugged in through the command's health-round factory.
/// </summary>
public sealed class SupervisedAppHealthRound(PodEnvironment environment, TimeProvider time) : IHealthRound
{
    /// <inheritdoc />
    public Task<AgentHealthReport> RunAsync(AgentAppState? app, CancellationToken cancellationToken)
    {
        var check = app?.State switch
        {
            "running" => new AgentCheckResult("app.process", "healthy", null, null, null, $"pid {app.Pid}, {app.Restarts} restart(s)"),
            // Starting lasts milliseconds (the fork); it says nothing yet about the app, so it is no alert's business.
            "starting" => new AgentCheckResult("app.process", "skipped", null, null, null, "starting"),
            // Stopped on request (SIGTERM): the end the operator asked for, not a failure to alert about.
            "stopped" => new AgentCheckResult("app.process", "skipped", null, null, null, $"stopped on request, exit code {app.LastExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}"),
            null => new AgentCheckResult("app.process", "skipped", null, null, null, "no app supervised"),
            var state => new AgentCheckResult("app.process", "critical", null, null, null,
                $"{state}, last exit code {app.LastExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, {app.Restarts} restart(s)"),
        };
        var status = check.Status == "skipped" ? "healthy" : check.Status;
        return Task.FromResult(new AgentHealthReport(status, time.GetUtcNow(), environment.PodId, environment.Kind, environment.Hostname, [check], app));
    }
}
