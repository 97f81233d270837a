namespace Poddle.Core.Alerts;

/// <summary>An owner's own alert receiver (<c>PUT /api/alerts/settings</c>): a webhook and the least level sent to it and to their mail.</summary>
public sealed class AlertSettings
{
    public Guid OwnerId { get; init; }

    /// <summary>A public http(s) URL, or null for none. A secret (chat webhooks carry their key in it): never logged whole.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>A <see cref="Drivers.Abstractions.Webhooks.WebhookFormatNames"/> value.</summary>
    public required string Format { get; set; }

    /// <summary>The least level the owner's webhook and mail receive.</summary>
    public AlertLevel MinLevel { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
