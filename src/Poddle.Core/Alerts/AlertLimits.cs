namespace Poddle.Core.Alerts;

/// <summary>The stored sizes of an incident and of an owner's settings; a longer title or message is cut (an alert is never refused).</summary>
public static class AlertLimits
{
    public const int KeyLength = 200;
    public const int TitleLength = 200;
    public const int MessageLength = 4000;
    public const int WebhookUrlLength = 2048;

    /// <summary>Incidents <c>GET /api/alerts</c> returns at most.</summary>
    public const int ListLimit = 200;
}
