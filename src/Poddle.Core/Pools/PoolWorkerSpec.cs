using System.Text.Json;
using Poddle.Core.Deployments;
using Poddle.Core.Pools.Gpus;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Pools;

/// <summary>
/// What each worker of a pool runs, validated and immutable: an image (its command optionally overridden) or a command
/// with an optional source bundle, env and per-worker resources. Secret values are not here (see
/// <see cref="Pool.SecretsCiphertext"/>); <see cref="SecretKeys"/> names them. Workers listen on nothing: they pull jobs.
/// </summary>
public sealed record PoolWorkerSpec(
    string? Image,
    IReadOnlyList<string>? Command,
    Guid? SourceId,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyList<string> SecretKeys,
    ResourceSpec Resources)
{
    /// <summary>GPUs per worker with the fallback lists (types, cloud types) and a spot bid; null: none. Absent from specs stored before it.</summary>
    public PoolGpuSpec? Gpu { get; init; }

    /// <summary>Container disk and volume of each worker; null: the driver's defaults.</summary>
    public PodStorage? Storage { get; init; }

    /// <summary>A deployment spec's worker part (the same validation built both).</summary>
    internal static PoolWorkerSpec From(DeploymentSpec spec) => new(spec.Image, spec.Command, spec.SourceId, spec.Env, spec.SecretKeys, spec.Resources);

    /// <summary>As a deployment spec without port or probe, for the rules and driver checks deployments share.</summary>
    internal DeploymentSpec ToDeploymentSpec() =>
        new(Image, Command, SourceId, null, Env, SecretKeys, Resources, new HealthCheckSpec(HealthCheckSpec.NoProbe, null, null, null, 10, 1, 3, 0));

    /// <summary>Stored in <see cref="Pool.SpecJson"/> with default (PascalCase) names, as deployments' specs are.</summary>
    public static string Serialize(PoolWorkerSpec spec) => JsonSerializer.Serialize(spec);

    public static PoolWorkerSpec Deserialize(string json) =>
        JsonSerializer.Deserialize<PoolWorkerSpec>(json) ?? throw new JsonException("A pool's spec is null.");
}
