namespace Poddle.Drivers.RunPod.Api;

/// <summary>RunPod's <c>Pod</c>, the fields the driver asks for (<see cref="RunPodQueries.PodFields"/>).</summary>
public sealed record RunPodPod(
    string Id,
    string? Name,
    string? ImageName,
    string? DesiredStatus,
    string? LastStatusChange,
    double? CostPerHr,
    int? GpuCount,
    IReadOnlyList<string>? Env,
    string? Ports,
    string? PodType,
    RunPodMachine? Machine,
    RunPodRuntime? Runtime);
