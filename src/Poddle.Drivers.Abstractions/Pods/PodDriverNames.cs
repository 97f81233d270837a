namespace Poddle.Drivers.Abstractions.Pods;

/// <summary>
/// The names pod drivers are registered under (keyed <see cref="IPodDriver"/> services) and stored by: in every
/// <see cref="PodHandle"/>, a deployment's <c>driver</c> field and the Deployments:Default*Driver settings. Wire values:
/// never rename one.
/// </summary>
public static class PodDriverNames
{
    /// <summary>The embedded Linux sandbox driver (Poddle.Drivers.Sandbox).</summary>
    public const string Sandbox = "sandbox";

    /// <summary>The Docker Engine driver (Poddle.Drivers.Docker).</summary>
    public const string Docker = "docker";

    /// <summary>The RunPod GPU cloud driver (Poddle.Drivers.RunPod); registered only when RunPod is configured.</summary>
    public const string RunPod = "runpod";

    /// <summary>
    /// Every driver this build ships. A host may leave one out (the sandbox off Linux, Docker:Enabled=false): a default
    /// naming one of these then fails deployments as "driver not available" instead of stopping the start.
    /// </summary>
    public static IReadOnlyList<string> BuiltIn { get; } = [Sandbox, Docker, RunPod];
}
