using Docker.DotNet;
using Docker.DotNet.Models;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Docker;

// One stats sample of a running container (Poddle computes rates from two samples).
public sealed partial class DockerPodDriver
{
    /// <inheritdoc />
    public async Task<PodStats?> GetStatsAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        CheckHandle(handle);
        return await CallAsync(async () =>
        {
            var container = await TryInspectLiveAsync(handle.PodId, cancellationToken);
            if (container?.State is not { Running: true })
            {
                return null;
            }

            var sample = new LastValue<ContainerStatsResponse>();
            try
            {
                // One sample, without the engine's second read for a CPU percentage: Poddle computes rates from two samples.
                await _client.Containers.GetContainerStatsAsync(handle.PodId, new ContainerStatsParameters { Stream = false, OneShot = true }, sample, cancellationToken);
            }
            catch (DockerContainerNotFoundException)
            {
                return null;
            }

            return sample.Value is { } stats ? ToStats(stats, container.HostConfig?.Memory ?? 0) : null;
        });
    }
}
