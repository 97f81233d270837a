namespace Poddle.Core.Alerts;

/// <summary>
/// An owner's alert settings as shown: the webhook only by its origin (<c>https://hooks.slack.com</c>), since its path is a
/// key (write-only, like secrets); whether alerts also reach their mail (a verified address and an SMTP server).
/// </summary>
public sealed record AlertSettingsView(string? WebhookOrigin, string Format, string MinLevel, bool Email);
