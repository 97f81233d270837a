using Poddle.Drivers.Abstractions.Webhooks;

namespace Poddle.Core.Alerts;

/// <summary>One operators' webhook (<c>Alerts:Webhooks:N</c>).</summary>
public sealed class AlertWebhookOptions
{
    /// <summary>An absolute http(s) URL; a secret (never logged whole).</summary>
    public string? Url { get; set; }

    /// <summary>json, slack or discord.</summary>
    public string Format { get; set; } = WebhookFormatNames.Json;

    /// <summary>The least level it receives (info, warning or critical).</summary>
    public string MinLevel { get; set; } = AlertLevelNames.Warning;
}
