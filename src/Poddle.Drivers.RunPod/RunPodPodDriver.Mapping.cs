using System.Globalization;
using System.Text.Json;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.RunPod.Api;

namespace Poddle.Drivers.RunPod;

// RunPod's answers in the contract's terms: desiredStatus and runtime as a PodState, lastStatusChange as the start
// time, the env's labels, a public TCP mapping of the spec's port as the endpoint.
public sealed partial class RunPodPodDriver
{
    /// <summary>The labels Poddle put in a pod's env; null for a pod Poddle did not make.</summary>
    public static Dictionary<string, string>? LabelsOf(RunPodPod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var value = EnvValue(pod, LabelsVariable);
        if (value is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(value, RunPodJsonContext.Default.DictionaryStringString);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The pod's state: CREATED, RESTARTING, or RUNNING without a runtime yet → Pending; RUNNING with a runtime → Running;
    /// EXITED, PAUSED, DEAD → Exited (exit status unknown); TERMINATED or unknown → NotFound.
    /// </summary>
    internal static PodStatus StatusOf(RunPodPod? pod, int? port)
    {
        if (pod is null)
        {
            return PodStatus.NotFound;
        }

        var changedAt = ChangedAt(pod.LastStatusChange);
        return pod.DesiredStatus switch
        {
            RunPodStatuses.Running when pod.Runtime is not null => new PodStatus(PodState.Running, changedAt, null, null, EndpointOf(pod.Runtime, port)),
            RunPodStatuses.Running or RunPodStatuses.Created or RunPodStatuses.Restarting => new PodStatus(PodState.Pending, null, null, null, null),
            RunPodStatuses.Exited or RunPodStatuses.Paused or RunPodStatuses.Dead => new PodStatus(PodState.Exited, null, changedAt, ExitResult.Unknown, null),
            _ => PodStatus.NotFound,
        };
    }

    /// <summary>
    /// The time of RunPod's lastStatusChange ("Rented by User: Mon Dec 07 2026 21:39:02 GMT+0000 (Coordinated Universal
    /// Time)", JavaScript's Date.toString()); null when it does not read so.
    /// </summary>
    internal static DateTimeOffset? ChangedAt(string? lastStatusChange)
    {
        var colon = lastStatusChange?.IndexOf(": ", StringComparison.Ordinal) ?? -1;
        if (colon < 0)
        {
            return null;
        }

        var words = lastStatusChange![(colon + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 6 || !words[5].StartsWith("GMT", StringComparison.Ordinal) || words[5].Length != 8)
        {
            return null;
        }

        var offset = words[5][3..];
        var text = $"{words[1]} {words[2]} {words[3]} {words[4]} {offset[..3]}:{offset[3..]}";
        return DateTimeOffset.TryParseExact(text, "MMM dd yyyy HH:mm:ss zzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at : null;
    }

    // Only a public TCP mapping is a host and port the server can connect to; an "http" port is served by RunPod's HTTPS
    // proxy ({id}-{port}.proxy.runpod.net), which PodEndpoint cannot say.
    private static PodEndpoint? EndpointOf(RunPodRuntime runtime, int? port) =>
        port is null ? null : runtime.Ports?.FirstOrDefault(p => p.PrivatePort == port && p.IsIpPublic == true && p.Type == PodPortMapping.Tcp && p.Ip is not null && p.PublicPort is not null) is { } mapping
            ? new PodEndpoint(mapping.Ip!, mapping.PublicPort!.Value)
            : null;

    private static PodHandle HandleOf(RunPodPod pod, Dictionary<string, string> labels)
    {
        var gpus = Math.Max(1, pod.GpuCount ?? 1);
        decimal? bid = pod.PodType == "INTERRUPTABLE" && pod.CostPerHr is { } cost ? Math.Round((decimal)cost / gpus, 3) : null;
        var state = new RunPodPodState(gpus, bid, PortOf(null, pod));
        return new PodHandle(DriverName, pod.Id, StateVersion, JsonSerializer.Serialize(state, RunPodJsonContext.Default.RunPodPodState), labels);
    }

    private static RunPodPodState? StateOf(PodHandle handle)
    {
        try
        {
            return JsonSerializer.Deserialize(handle.DriverState, RunPodJsonContext.Default.RunPodPodState);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // The spec's port: in the handle's state, else the PORT the driver put in the pod's env.
    private static int? PortOf(PodHandle? handle, RunPodPod? pod) =>
        (handle is null ? null : StateOf(handle)?.Port)
        ?? (pod is null ? null : int.TryParse(EnvValue(pod, "PORT"), NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null);

    private static string? EnvValue(RunPodPod pod, string name)
    {
        var prefix = name + "=";
        return pod.Env?.FirstOrDefault(e => e.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
    }
}
