using Docker.DotNet.Models;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Docker;

// GPUs: passed through NVIDIA's device requests (what `docker run --gpus N` sends) when the engine has the nvidia
// runtime (nvidia-container-toolkit registers it); the engine picks which of the host's GPUs, so a GPU type cannot be
// chosen. Not testable on a machine without NVIDIA GPUs: docs/drivers.md says so.
public sealed partial class DockerPodDriver
{
    /// <summary>The runtime nvidia-container-toolkit registers with the engine.</summary>
    internal const string NvidiaRuntime = "nvidia";

    // 0 until the engine was asked (the first health check or GPU pod), then 1 (has it) or 2; the engine's runtimes
    // change only when it restarts.
    private int _nvidiaRuntimeState;

    /// <summary>Whether the engine has the nvidia runtime; null until asked.</summary>
    private bool? HasNvidiaRuntime => Volatile.Read(ref _nvidiaRuntimeState) switch { 0 => null, 1 => true, _ => false };

    /// <summary>Asks the engine once whether it has the nvidia runtime; <see cref="Capabilities"/> says GPUs from then on.</summary>
    private async Task DetectNvidiaRuntimeAsync(CancellationToken cancellationToken)
    {
        if (HasNvidiaRuntime is not null)
        {
            return;
        }

        var info = await _client.System.GetSystemInfoAsync(cancellationToken);
        Volatile.Write(ref _nvidiaRuntimeState, info.Runtimes?.ContainsKey(NvidiaRuntime) == true ? 1 : 2);
    }

    /// <summary>Refuses, before anything is created, a spec asking for what this engine cannot give (GPUs without the runtime, a GPU model, disks, ports, placement).</summary>
    private async Task EnsureGpusAsync(PodSpec spec, CancellationToken cancellationToken)
    {
        if (spec.Gpu is not null)
        {
            await DetectNvidiaRuntimeAsync(cancellationToken);
            if (HasNvidiaRuntime != true)
            {
                throw new PodDriverException(
                    PodFailureKind.UnsupportedSpec,
                    "this Docker Engine has no nvidia runtime, so it cannot give a pod GPUs (gpu.count): install nvidia-container-toolkit and restart dockerd, or use the runpod driver");
            }
        }

        Capabilities.EnsureSupports(spec, DriverName);
    }

    /// <summary>`--gpus N`: a device request for N GPUs of the nvidia driver with the "gpu" capability.</summary>
    internal static void ApplyGpus(HostConfig host, PodGpu? gpu)
    {
        if (gpu is null)
        {
            return;
        }

        host.DeviceRequests =
        [
            new DeviceRequest { Driver = NvidiaRuntime, Count = gpu.Count, Capabilities = [["gpu"]] },
        ];
    }
}
