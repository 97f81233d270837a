namespace Poddle.Core.Alerts;

/// <summary>
/// Where features raise and resolve incidents. An implementation sends an incident once while it fires (throttled by
/// its key) and a recovery message when it is resolved; it never throws for a receiver that fails.
/// </summary>
public interface IAlertNotifier
{
    /// <summary>Fires <paramref name="alert"/> unless its key is already firing.</summary>
    Task RaiseAsync(Alert alert, CancellationToken cancellationToken);

    /// <summary>Ends the incident <paramref name="key"/> if it is firing (a recovery message); nothing otherwise.</summary>
    Task ResolveAsync(string key, CancellationToken cancellationToken);
}
