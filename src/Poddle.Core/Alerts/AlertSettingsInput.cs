namespace Poddle.Core.Alerts;

/// <summary>An owner's alert settings as sent (<c>PUT /api/alerts/settings</c>): a null or empty URL removes the webhook; null format and level keep their defaults (json, warning).</summary>
public sealed record AlertSettingsInput(string? WebhookUrl, string? Format, string? MinLevel);
