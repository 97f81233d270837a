using System.Text.Json.Serialization;

namespace Poddle.Agent.Tuning;

/// <summary>The tuning phase's status file (default /tmp/pod-optimization-status.json).</summary>
public sealed record TuningStatus(string? PodId, string Environment, string Hostname, DateTimeOffset Time, IReadOnlyList<TuningStep> Steps);

/// <summary>One tuning step.</summary>
/// <param name="Name">"nofile", "somaxconn", "swappiness", "gpu-persistence".</param>
/// <param name="Result">"applied", "skipped" or "failed".</param>
/// <param name="Detail">What was done, or why not.</param>
public sealed record TuningStep(string Name, string Result, string Detail);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(TuningStatus))]
internal sealed partial class TuningJsonContext : JsonSerializerContext;
