using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Poddle.Core.Alerts;

/// <summary>
/// The alerts every server has without any receiver configured: one log line when an incident starts (Warning, or Error
/// when critical) and one when it ends, deduplicated by key within this process.
/// </summary>
public sealed partial class LogAlertNotifier(ILogger<LogAlertNotifier> logger) : IAlertNotifier
{
    private readonly ConcurrentDictionary<string, Alert> firing = new(StringComparer.Ordinal);

    public Task RaiseAsync(Alert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (firing.TryAdd(alert.Key, alert))
        {
            LogRaised(logger, alert.Level == AlertLevel.Critical ? LogLevel.Error : LogLevel.Warning, alert.Level, alert.Key, alert.Title, alert.Message);
        }

        return Task.CompletedTask;
    }

    public Task ResolveAsync(string key, CancellationToken cancellationToken)
    {
        if (firing.TryRemove(key, out var alert))
        {
            LogResolved(logger, alert.Key, alert.Title);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Message = "Alert {AlertLevel} {Key}: {Title}: {Text}")]
    private static partial void LogRaised(ILogger logger, LogLevel level, AlertLevel alertLevel, string key, string title, string text);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert resolved {Key}: {Title}")]
    private static partial void LogResolved(ILogger logger, string key, string title);
}
