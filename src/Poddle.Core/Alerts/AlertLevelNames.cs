namespace Poddle.Core.Alerts;

/// <summary>The wire names of <see cref="AlertLevel"/> (configuration, API, webhook payloads).</summary>
public static class AlertLevelNames
{
    public const string Info = "info";
    public const string Warning = "warning";
    public const string Critical = "critical";

    /// <summary>Every name, for messages that list them.</summary>
    public const string All = "info, warning or critical";

    public static string Of(AlertLevel level) => level switch
    {
        AlertLevel.Critical => Critical,
        AlertLevel.Warning => Warning,
        _ => Info,
    };

    /// <summary>The level a name (any case) stands for; false for anything else.</summary>
    public static bool TryParse(string? name, out AlertLevel level)
    {
        switch (name?.Trim().ToUpperInvariant())
        {
            case "INFO":
                level = AlertLevel.Info;
                return true;
            case "WARNING":
                level = AlertLevel.Warning;
                return true;
            case "CRITICAL":
                level = AlertLevel.Critical;
                return true;
            default:
                level = AlertLevel.Info;
                return false;
        }
    }
}
