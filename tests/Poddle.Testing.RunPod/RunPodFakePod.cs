using System.Globalization;

namespace Poddle.Testing.RunPod;

/// <summary>
/// A pod of the fake (RunPod's <c>Pod</c>): property names are the GraphQL fields', so GraphQL.NET resolves them by
/// name. Mutable only under <see cref="RunPodFake"/>'s lock; the clock decides CREATED → RUNNING.
/// </summary>
public sealed class RunPodFakePod
{
    private readonly TimeProvider _time;

    internal RunPodFakePod(TimeProvider time) => _time = time;

    /// <summary>RunPod's 14-character id.</summary>
    public required string Id { get; init; }

    /// <summary>The name given at creation.</summary>
    public string? Name { get; init; }

    /// <summary>The container image.</summary>
    public string? ImageName { get; init; }

    /// <summary>The container's arguments as one string.</summary>
    public string? DockerArgs { get; init; }

    /// <summary>The environment as "KEY=value" strings, as RunPod lists it.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];

    /// <summary>The GPU type rented.</summary>
    public required RunPodFakeGpuType GpuType { get; init; }

    /// <summary>GPUs of <see cref="GpuType"/>.</summary>
    public int GpuCount { get; init; } = 1;

    /// <summary>vCPUs the machine gives the pod.</summary>
    public double VcpuCount { get; init; }

    /// <summary>Memory the machine gives the pod.</summary>
    public double MemoryInGb { get; init; }

    /// <summary>The container disk.</summary>
    public int ContainerDiskInGb { get; init; }

    /// <summary>The volume.</summary>
    public double VolumeInGb { get; init; }

    /// <summary>Where the volume is mounted.</summary>
    public string? VolumeMountPath { get; init; }

    /// <summary>"8888/http,22/tcp".</summary>
    public string? Ports { get; init; }

    /// <summary>SECURE or COMMUNITY (ALL is resolved to one at rent).</summary>
    public required string CloudType { get; init; }

    /// <summary>A spot pod (RunPod's interruptible), rented by <c>podRentInterruptable</c>.</summary>
    public bool Interruptible { get; init; }

    /// <summary>The spot bid per GPU; 0 for on-demand pods.</summary>
    public double BidPerGpu { get; internal set; }

    /// <summary>"RESERVED" (on demand) or "INTERRUPTABLE" (spot), as RunPod spells it.</summary>
    public string PodType => Interruptible ? "INTERRUPTABLE" : "RESERVED";

    /// <summary>The machine's id.</summary>
    public string MachineId { get; init; } = "m" + Guid.NewGuid().ToString("N")[..11];

    /// <summary>The machine.</summary>
    public RunPodFakeMachine Machine => new(MachineId + "-" + Id[..4], GpuType.DisplayName, CloudType == "SECURE" ? "US-TX-3" : "CZ");

    /// <summary>$/h: the GPU type's price (or the bid) times the GPU count.</summary>
    public double CostPerHr => Math.Round(GpuCount * (Interruptible ? BidPerGpu : CloudType == "SECURE" ? GpuType.SecurePrice : GpuType.CommunityPrice), 3);

    /// <summary>RUNNING or EXITED as asked; CREATED while a running pod has not started yet.</summary>
    public string DesiredStatus => Stopped ? "EXITED" : _time.GetUtcNow() < RunningAt ? "CREATED" : "RUNNING";

    /// <summary>When the container runs (or ran) from; set at rent and resume.</summary>
    internal DateTimeOffset RunningAt { get; set; }

    /// <summary>Stopped (by podStop, or outbid for a spot pod).</summary>
    internal bool Stopped { get; set; }

    /// <summary>What the last status change was, as RunPod words it.</summary>
    internal string LastChange { get; set; } = "Rented by User";

    /// <summary>The last change and its time in JavaScript's Date.toString() form, as RunPod answers it.</summary>
    public string LastStatusChange => $"{LastChange}: {JsDate(ChangedAt)}";

    /// <summary>When <see cref="LastChange"/> happened.</summary>
    internal DateTimeOffset ChangedAt { get; set; }

    /// <summary>Seconds the container has run since it (re)started; 0 when not running.</summary>
    public int UptimeSeconds => DesiredStatus == "RUNNING" ? (int)(_time.GetUtcNow() - RunningAt).TotalSeconds : 0;

    /// <summary>GPU utilisation the tests set (percent).</summary>
    public int GpuUtilPercent { get; set; }

    /// <summary>Container CPU utilisation the tests set (percent).</summary>
    public int CpuPercent { get; set; }

    /// <summary>Null until the container runs, as on RunPod.</summary>
    public RunPodFakeRuntime? Runtime => DesiredStatus != "RUNNING" ? null : new RunPodFakeRuntime(
        UptimeSeconds,
        [.. PortList().Select(PortOf)],
        [.. Enumerable.Range(0, GpuCount).Select(i => new RunPodFakeRuntimeGpu($"GPU-{Id[..8]}-{i}", GpuUtilPercent, GpuUtilPercent / 2))],
        new RunPodFakeRuntimeContainer(CpuPercent, 10));

    private IEnumerable<(int Port, string Type)> PortList() =>
        (Ports ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('/'))
            .Select(p => (int.Parse(p[0], CultureInfo.InvariantCulture), p.Length > 1 ? p[1] : "http"));

    // HTTP ports are served through RunPod's proxy ({id}-{port}.proxy.runpod.net) from the pod's private address; TCP
    // ports get a public address and a port of the host's own.
    private RunPodFakeRuntimePort PortOf((int Port, string Type) port) => port.Type == "tcp"
        ? new RunPodFakeRuntimePort("203.0.113." + (Id[0] % 200 + 10), true, port.Port, 10000 + (Id.GetHashCode(StringComparison.Ordinal) & 0x7fff) % 50000 + port.Port % 100, "tcp")
        : new RunPodFakeRuntimePort("100.65." + (Id[1] % 250) + "." + (Id[2] % 250), false, port.Port, port.Port, "http");

    private static string JsDate(DateTimeOffset at) =>
        at.UtcDateTime.ToString("ddd MMM dd yyyy HH:mm:ss", CultureInfo.InvariantCulture) + " GMT+0000 (Coordinated Universal Time)";
}
