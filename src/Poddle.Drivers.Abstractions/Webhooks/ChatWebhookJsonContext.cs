using System.Text.Json.Serialization;

namespace Poddle.Drivers.Abstractions.Webhooks;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SlackMessage))]
[JsonSerializable(typeof(DiscordMessage))]
internal sealed partial class ChatWebhookJsonContext : JsonSerializerContext;
