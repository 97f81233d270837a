using System.Text.Json;
using System.Text.Json.Serialization;
using Poddle.Agent.Diagnostics;
using Poddle.Agent.Gpu;

namespace Poddle.Agent;

/// <summary>Source-generated JSON for the agent's own documents (the wire records are in PoddleJsonContext).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(DiagnosticReport))]
[JsonSerializable(typeof(GpuDevice))]
public sealed partial class AgentJsonContext : JsonSerializerContext;
