namespace Poddle.Drivers.Abstractions.Webhooks;

/// <summary>Discord's webhook body.</summary>
public sealed record DiscordMessage(string Content);
