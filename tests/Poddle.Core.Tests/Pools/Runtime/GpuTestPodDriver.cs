using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Tests.Pools.Runtime;

/// <summary>
/// An in-memory remote GPU driver named "runpod" with RunPod's capabilities (images, GPUs, disks, cloud types, spot; no
/// local endpoint), whose provider has no machine for the (GPU type, cloud type) pairs a test puts in a drought:
/// <see cref="StartAsync"/> refuses them with <see cref="PodFailureKind.NoCapacity"/>, as the RunPod driver does.
/// </summary>
internal sealed class GpuTestPodDriver : IPodDriver
{
    private readonly ConcurrentDictionary<string, PodHandle> _pods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Type, PodCloudType Cloud), bool> _drought = new();

    public string Name => "runpod";

    public DriverCapabilities Capabilities { get; } = new(Images: true, Commands: false, Gpu: true, NetworkIsolation: false, Logs: false, Stats: false, Signals: false, Exec: false)
    {
        Hardware = PodHardwareFeatures.Gpu | PodHardwareFeatures.GpuType | PodHardwareFeatures.ContainerDisk | PodHardwareFeatures.Volume
            | PodHardwareFeatures.Ports | PodHardwareFeatures.CloudType | PodHardwareFeatures.Spot,
        ExitStatus = false,
        LocalEndpoint = false,
    };

    /// <summary>Every start asked for, refused ones included, in order.</summary>
    public ConcurrentQueue<PodSpec> Attempts { get; } = new();

    /// <summary>The specs of the pods started, in order.</summary>
    public ConcurrentQueue<PodSpec> Started { get; } = new();

    /// <summary>No machine for <paramref name="gpuType"/> in <paramref name="cloud"/>.</summary>
    public void Drought(string gpuType, PodCloudType cloud) => _drought[(gpuType, cloud)] = true;

    /// <summary>Ends every drought.</summary>
    public void EndDroughts() => _drought.Clear();

    public Task<DriverHealth> CheckHealthAsync(CancellationToken cancellationToken) => Task.FromResult(new DriverHealth(true, "runpod (in-memory test driver)"));

    public Task<PodHandle> StartAsync(PodSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Capabilities.EnsureSupports(spec, Name);
        Attempts.Enqueue(spec);
        if (spec.Gpu?.Type is { } type && _drought.ContainsKey((type, spec.Placement.CloudType)))
        {
            throw new PodDriverException(PodFailureKind.NoCapacity, "There are no longer any instances available with the requested specifications.");
        }

        Started.Enqueue(spec);
        var handle = new PodHandle(Name, Guid.NewGuid().ToString("N")[..14], 1, "{}", spec.Labels);
        _pods[handle.PodId] = handle;
        return Task.FromResult(handle);
    }

    public Task RecoverAsync(PodHandle handle, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<PodStatus> InspectAsync(PodHandle handle, CancellationToken cancellationToken) =>
        Task.FromResult(_pods.ContainsKey(handle.PodId) ? new PodStatus(PodState.Running, DateTimeOffset.UtcNow, null, null, null) : PodStatus.NotFound);

    public async IAsyncEnumerable<PodHandle> ListAsync(IReadOnlyDictionary<string, string> labels, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var handle in _pods.Values.Where(h => labels.All(l => h.Labels.TryGetValue(l.Key, out var v) && v == l.Value)))
        {
            yield return handle;
        }
    }

    public async Task<ExitResult> WaitAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return ExitResult.Unknown;
    }

    public Task StopAsync(PodHandle handle, TimeSpan gracePeriod, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DestroyAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        _pods.TryRemove(handle.PodId, out _);
        return Task.CompletedTask;
    }
}
