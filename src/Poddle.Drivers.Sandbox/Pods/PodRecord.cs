using System.Text.Json.Serialization;

namespace Poddle.Drivers.Sandbox.Pods;

/// <summary>
/// A pod's state file ({pod directory}/state.json), written once when it starts: what a later server process needs to
/// re-adopt it. The supervisor's start time (clock ticks since boot, /proc/PID/stat field 22) guards against pid reuse.
/// No environment here: values may be secrets.
/// </summary>
internal sealed record PodRecord(
    string PodId,
    string Name,
    int SupervisorPid,
    long SupervisorStartTicks,
    string? Cgroup,
    int? Port,
    int CpuMillicores,
    int MemoryMb,
    DateTimeOffset StartedAt,
    Dictionary<string, string> Labels)
{
    /// <summary>Whether the pod has a network namespace of its own (false in records written before there were any).</summary>
    public bool IsolatedNetwork { get; init; }
}

/// <summary>The exit file the supervisor writes.</summary>
internal sealed record PodExitRecord(int Code, int? Signal, long FinishedAtUs);

/// <summary>What a <c>PodHandle.DriverState</c> holds (version 1): enough to find the pod's directory and check it.</summary>
internal sealed record PodHandleState(int Pid, long StartTicks, string? Cgroup, int? Port);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PodRecord))]
[JsonSerializable(typeof(PodExitRecord))]
[JsonSerializable(typeof(PodHandleState))]
internal sealed partial class PodJsonContext : JsonSerializerContext;
