using Poddle.Drivers.Abstractions.Webhooks;

namespace Poddle.Agent.Alerts;

/// <summary>One webhook alerts are posted to. The URL is a secret (Slack and Discord put the key in it): logs name its host only.</summary>
public sealed record WebhookTarget(Uri Url, WebhookFormat Format)
{
    /// <summary>What logs may show: scheme, host and port.</summary>
    public string Display => Url.GetLeftPart(UriPartial.Authority);

    /// <summary>Parses `[json=|slack=|discord=]URL`; null with <paramref name="error"/> when it is not one.</summary>
    public static WebhookTarget? Parse(string value, out string? error)
    {
        var format = WebhookFormat.Json;
        var url = value.Trim();
        var equals = url.IndexOf('=', StringComparison.Ordinal);
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (equals > 0 && (scheme < 0 || equals < scheme))
        {
            var name = url[..equals];
            url = url[(equals + 1)..];
            if (!WebhookFormatNames.TryParse(name, out format))
            {
                error = $"unknown webhook format '{name}' ({WebhookFormatNames.All})";
                return null;
            }
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            error = "not an http(s) URL (write [json=|slack=|discord=]https://...)";
            return null;
        }

        error = null;
        return new WebhookTarget(uri, format);
    }
}
