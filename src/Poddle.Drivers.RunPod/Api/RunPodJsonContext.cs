using System.Text.Json.Serialization;

namespace Poddle.Drivers.RunPod.Api;

/// <summary>Source-generated JSON for RunPod's answers and the handle's state (trim- and AOT-safe, as the server's build needs).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RunPodPod))]
[JsonSerializable(typeof(RunPodAccount))]
[JsonSerializable(typeof(List<RunPodGpuType>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(RunPodPodState))]
internal sealed partial class RunPodJsonContext : JsonSerializerContext;
