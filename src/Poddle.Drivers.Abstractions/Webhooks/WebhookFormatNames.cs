namespace Poddle.Drivers.Abstractions.Webhooks;

/// <summary>The wire names of <see cref="WebhookFormat"/> (configuration, API, the agent's <c>slack=URL</c> prefix).</summary>
public static class WebhookFormatNames
{
    public const string Json = "json";
    public const string Slack = "slack";
    public const string Discord = "discord";

    /// <summary>Every name, for messages that list them.</summary>
    public const string All = "json, slack or discord";

    /// <summary>The format a name (any case) stands for; false for anything else.</summary>
    public static bool TryParse(string? name, out WebhookFormat format)
    {
        switch (name?.Trim().ToUpperInvariant())
        {
            case "JSON":
                format = WebhookFormat.Json;
                return true;
            case "SLACK":
                format = WebhookFormat.Slack;
                return true;
            case "DISCORD":
                format = WebhookFormat.Discord;
                return true;
            default:
                format = WebhookFormat.Json;
                return false;
        }
    }

    /// <summary>The wire name of <paramref name="format"/>.</summary>
    public static string Of(WebhookFormat format) => format switch
    {
        WebhookFormat.Slack => Slack,
        WebhookFormat.Discord => Discord,
        _ => Json,
    };
}
