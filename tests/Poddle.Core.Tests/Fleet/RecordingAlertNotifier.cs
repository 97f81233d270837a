using System.Collections.Concurrent;
using Poddle.Core.Alerts;

namespace Poddle.Core.Tests.Fleet;

/// <summary>Records every raise and resolve, as a receiver would see them if it had no throttling of its own.</summary>
public sealed class RecordingAlertNotifier : IAlertNotifier
{
    public ConcurrentQueue<Alert> Raised { get; } = new();

    public ConcurrentQueue<string> Resolved { get; } = new();

    public Task RaiseAsync(Alert alert, CancellationToken cancellationToken)
    {
        Raised.Enqueue(alert);
        return Task.CompletedTask;
    }

    public Task ResolveAsync(string key, CancellationToken cancellationToken)
    {
        Resolved.Enqueue(key);
        return Task.CompletedTask;
    }
}
