using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Poddle.Core.Alerts;

/// <summary>
/// The alert notifier of a server with a database (the default): an incident is a row (<see cref="AlertIncidents"/>), so it
/// is sent once across restarts and across servers sharing the database, and its messages go out through the job queue
/// (<see cref="AlertDispatchJob"/>, <see cref="AlertDeliveryJob"/>), retried there. The caller waits only for one small
/// write in its own scope (never for a receiver), and never sees an exception: a failure is logged and the next raise of
/// the key tries again. It also writes <see cref="LogAlertNotifier"/>'s log lines, so the log tells the same story.
/// </summary>
public sealed partial class DatabaseAlertNotifier(
    IServiceScopeFactory scopes,
    AlertMetrics metrics,
    ILogger<DatabaseAlertNotifier> logger) : IAlertNotifier
{
    public async Task RaiseAsync(Alert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var incidents = scope.ServiceProvider.GetRequiredService<AlertIncidents>();
            if (await incidents.RaiseAsync(alert, cancellationToken))
            {
                LogRaised(logger, alert.Level == AlertLevel.Critical ? LogLevel.Error : LogLevel.Warning, alert.Level, alert.Key, alert.Title, alert.Message);
                metrics.SetFiring(await incidents.CountFiringAsync(cancellationToken));
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogRaiseFailed(logger, ex, alert.Key);
        }
    }

    public async Task ResolveAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var incidents = scope.ServiceProvider.GetRequiredService<AlertIncidents>();
            if (await incidents.ResolveAsync(key, cancellationToken))
            {
                LogResolved(logger, key);
                metrics.SetFiring(await incidents.CountFiringAsync(cancellationToken));
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogResolveFailed(logger, ex, key);
        }
    }

    [LoggerMessage(Message = "Alert {AlertLevel} {Key}: {Title}: {Text}")]
    private static partial void LogRaised(ILogger logger, LogLevel level, AlertLevel alertLevel, string key, string title, string text);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert resolved {Key}")]
    private static partial void LogResolved(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert {Key} could not be raised; the next raise of the key tries again")]
    private static partial void LogRaiseFailed(ILogger logger, Exception exception, string key);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert {Key} could not be resolved; the next resolve of the key tries again")]
    private static partial void LogResolveFailed(ILogger logger, Exception exception, string key);
}
