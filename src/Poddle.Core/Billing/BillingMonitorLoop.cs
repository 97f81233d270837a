using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Deployments;

namespace Poddle.Core.Billing;

/// <summary>
/// Checks every balance every <see cref="BillingOptions.MonitorInterval"/> (<see cref="BillingMonitor.CheckAllAsync"/>),
/// on the controller's leader only, while billing is on. The rating job checks after each run too, but it runs every
/// 15 minutes by default and rates an hour only once it ended: this loop warns about and suspends a burn that spends the
/// balance within the hour (usage not rated yet counts) within about one interval. Idempotent, like every monitor step.
/// Each pass first makes sure billing has begun (<see cref="UsageRater.BeginAsync"/>), so billing begins in the hour the
/// server started with billing on, not in the hour of the first rating run (up to a rating interval later, possibly the
/// next hour, which would leave the usage before it unbilled).
/// </summary>
public sealed partial class BillingMonitorLoop(
    IServiceScopeFactory scopes,
    ControllerLeadership leadership,
    IOptions<BillingOptions> options,
    TimeProvider clock,
    ILogger<BillingMonitorLoop> logger) : BackgroundService
{
    /// <summary>One pass; returns how many owners it suspended or resumed (0 when billing is off or this server does not lead).</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled || !await leadership.IsLeaderAsync(cancellationToken))
        {
            return 0;
        }

        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<UsageRater>().BeginAsync(cancellationToken);
        return await scope.ServiceProvider.GetRequiredService<BillingMonitor>().CheckAllAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        ControllerLoop.RunAsync(RunOnceAsync, () => options.Value.MonitorInterval, clock, ex => LogIterationFailed(logger, ex), stoppingToken);

    [LoggerMessage(Level = LogLevel.Error, Message = "Billing monitor: pass failed; retrying next interval")]
    private static partial void LogIterationFailed(ILogger logger, Exception exception);
}
