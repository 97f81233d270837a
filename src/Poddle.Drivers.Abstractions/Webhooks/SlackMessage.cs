namespace Poddle.Drivers.Abstractions.Webhooks;

/// <summary>Slack's incoming-webhook body.</summary>
public sealed record SlackMessage(string Text);
