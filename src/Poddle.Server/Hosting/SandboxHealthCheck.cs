using Microsoft.Extensions.Diagnostics.HealthChecks;
using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Server.Hosting;

/// <summary>
/// The code executor in /readyz: healthy with full isolation and at least one language; degraded (still ready: HTTP 200)
/// with "reduced isolation: ..." when only rlimits hold, when code cannot run at all, or when no language passed its
/// check in the sandbox (a work root the sandbox cannot enter, say), so an operator sees why.
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
        if (health.Level != IsolationStatus.Full)
        {
            return Task.FromResult(HealthCheckResult.Degraded(health.Detail, data: data));
        }

        return Task.FromResult(executor.Runtimes.Count > 0
            ? HealthCheckResult.Healthy(health.Detail, data)
            : HealthCheckResult.Degraded($"{health.Detail}, but no language passed its check in the sandbox (the server's log and `poddle doctor` say why)", data: data));
    }
}
