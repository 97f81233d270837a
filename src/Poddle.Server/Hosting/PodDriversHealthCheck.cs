using Microsoft.Extensions.Diagnostics.HealthChecks;
using Poddle.Core.Deployments;

namespace Poddle.Server.Hosting;

/// <summary>
/// The pod drivers in /readyz: healthy when every registered driver can start pods; degraded (still ready: HTTP 200)
/// naming each driver that cannot and why ("docker: connection refused ..."), since the API and other drivers still work.
/// </summary>
internal sealed class PodDriversHealthCheck(PodDriverRegistry drivers) : IHealthCheck
{
    private static readonly TimeSpan PerDriverTimeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>();
        var down = new List<string>();
        foreach (var driver in drivers.All.OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(PerDriverTimeout);
            string detail;
            bool available;
            try
            {
                var health = await driver.CheckHealthAsync(timeout.Token);
                (available, detail) = (health.Available, health.Detail);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                (available, detail) = (false, $"no answer within {PerDriverTimeout.TotalSeconds:0} s");
            }

            data[driver.Name] = available ? "available" : $"unavailable: {detail}";
            if (!available)
            {
                down.Add($"{driver.Name}: {detail}");
            }
        }

        return down.Count == 0
            ? HealthCheckResult.Healthy($"{drivers.All.Count} pod driver(s) available", data)
            : HealthCheckResult.Degraded(string.Join("; ", down), data: data);
    }
}
