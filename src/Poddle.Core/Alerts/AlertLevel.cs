namespace Poddle.Core.Alerts;

/// <summary>How urgent an alert is; a receiver may filter on it.</summary>
public enum AlertLevel
{
    Info,
    Warning,
    Critical,
}
