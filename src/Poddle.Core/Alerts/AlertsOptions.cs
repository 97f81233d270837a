namespace Poddle.Core.Alerts;

/// <summary>
/// Server-side alerts (section "Alerts", docs/alerts.md): the operators' receivers, the throttle and the delivery's
/// retries. Validated at start by <see cref="AlertsOptionsValidator"/>.
/// </summary>
public sealed class AlertsOptions
{
    public const string SectionName = "Alerts";

    /// <summary>The operators' webhooks (<c>Alerts:Webhooks:0:Url</c>, <c>:Format</c>, <c>:MinLevel</c>): they get operators' alerts of their level and owners' critical ones.</summary>
    public List<AlertWebhookOptions> Webhooks { get; init; } = [];

    /// <summary>The operators' mail addresses (<c>Alerts:Emails:0</c>), sent to through <c>Email:Smtp</c> when it is configured.</summary>
    public List<string> Emails { get; init; } = [];

    /// <summary>The least level mailed to <see cref="Emails"/> (info, warning or critical).</summary>
    public string EmailMinLevel { get; set; } = AlertLevelNames.Warning;

    /// <summary>
    /// A key's messages are at most one problem (and its recovery) per window: a key raised again within this time of its
    /// last message holds its problem back until the window ends, and sends it only if it still fires then.
    /// </summary>
    public TimeSpan ThrottleWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Tries of one message to one receiver before its job is dead (the queue's back-off between them).</summary>
    public int DeliveryAttempts { get; set; } = 10;

    /// <summary>One POST's time limit.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Whether owners' webhooks may reach private addresses (loopback, RFC 1918, link-local). Off by default: an owner's URL is
    /// sent from inside the server's network. Operators' webhooks come from configuration and may be private.
    /// </summary>
    public bool OwnerWebhookPrivateNetworks { get; set; }

    /// <summary>How long resolved incidents stay in <c>GET /api/alerts</c> (and in the table).</summary>
    public TimeSpan History { get; set; } = TimeSpan.FromDays(7);
}
