using System.Text.Json.Serialization;

namespace Poddle.Drivers.Docker;

[JsonSerializable(typeof(DockerPodState))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class DockerStateJsonContext : JsonSerializerContext;
