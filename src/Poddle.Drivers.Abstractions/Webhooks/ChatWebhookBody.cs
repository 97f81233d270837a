using System.Text.Json;

namespace Poddle.Drivers.Abstractions.Webhooks;

/// <summary>
/// The body of a chat webhook (Slack, Discord): one line of text for people, in the shape the service expects. The
/// JSON format has no such body: each sender posts its own object.
/// </summary>
public static class ChatWebhookBody
{
    /// <summary>The JSON body of <paramref name="text"/> for <paramref name="format"/>; null for <see cref="WebhookFormat.Json"/>.</summary>
    public static string? Create(WebhookFormat format, string text) => format switch
    {
        WebhookFormat.Slack => JsonSerializer.Serialize(new SlackMessage(text), ChatWebhookJsonContext.Default.SlackMessage),
        WebhookFormat.Discord => JsonSerializer.Serialize(new DiscordMessage(text), ChatWebhookJsonContext.Default.DiscordMessage),
        _ => null,
    };
}
