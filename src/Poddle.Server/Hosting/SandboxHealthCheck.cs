using Microsoft.Extensions.Diagnostics.HealthChecks;
using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Server.Hosting;

/// <summary>
/// The code executor's isolation in /readyz: healthy with full isolation; degraded (still ready: HTTP 200) with
/// "reduced isolation: ..." when only rlimits hold, or when code cannot run at all, so an operator sees why.
/// </summary>
internal sealed class SandboxHealthCheck(ICodeExecutor executor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var health = executor.Health;
        var data = new Dictionary<string, object>
        {
            ["isolation"] = health.Level.ToString().ToLowerInvariant(),
            ["runtimes"] = executor.Runtimes.Select(r => $"{r.Language} {r.Version}").ToArray(),
        };
        return Task.FromResult(health.Level == IsolationStatus.Full
            ? HealthCheckResult.Healthy(health.Detail, data)
            : HealthCheckResult.Degraded(health.Detail, data: data));
    }
}
