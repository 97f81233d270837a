namespace Poddle.Drivers.Abstractions.Webhooks;

/// <summary>
/// The body a webhook expects. Shared by the pod agent's alerts and the server's (one place for the chat formats); the
/// wire names are <see cref="WebhookFormatNames"/>.
/// </summary>
public enum WebhookFormat
{
    /// <summary>The alert as a JSON object (each sender documents its own: docs/agent.md, docs/alerts.md).</summary>
    Json,

    /// <summary>Slack incoming webhook: {"text": ...}.</summary>
    Slack,

    /// <summary>Discord webhook: {"content": ...}.</summary>
    Discord,
}
