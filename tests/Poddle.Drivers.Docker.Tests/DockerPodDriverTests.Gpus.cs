using Docker.DotNet.Models;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Docker.Tests;

// GPUs and the other hardware fields: this engine has no nvidia runtime (CI has no NVIDIA GPU), so a GPU pod is refused
// with a message that says what to do, and nothing is created; the device request itself is checked on the parameters.
public sealed partial class DockerPodDriverTests
{
    [Fact]
    public async Task Start_GpusWithoutTheNvidiaRuntime_UnsupportedSpecAndNoContainerLeft()
    {
        var driver = await DriverAsync();

        var error = await StartFailsAsync(driver, Spec("sleep 60") with { Gpu = new PodGpu(1) });

        Assert.Equal(PodFailureKind.UnsupportedSpec, error.Kind);
        Assert.Contains("nvidia runtime", error.Message, StringComparison.Ordinal);
        Assert.False(driver.Capabilities.Gpu);
        Assert.Empty(await ListAsync(driver));
    }

    [Theory]
    [InlineData("volume", "storage.volumeGb")]
    [InlineData("ports", "ports")]
    [InlineData("spot", "placement.spotBidPerGpu")]
    [InlineData("cloud", "placement.cloudType")]
    [InlineData("disk", "storage.containerDiskGb")]
    public async Task Start_HardwareTheEngineCannotGive_UnsupportedSpecNamingTheField(string what, string field)
    {
        var driver = await DriverAsync();
        var spec = Spec("sleep 60");
        spec = what switch
        {
            "volume" => spec with { Storage = new PodStorage(VolumeGb: 10) },
            "ports" => spec with { Ports = [new PodPortMapping(22, PodPortMapping.Tcp)] },
            "spot" => spec with { Placement = new PodPlacement(SpotBidPerGpu: 0.2m) },
            "cloud" => spec with { Placement = new PodPlacement(PodCloudType.Secure) },
            _ => spec with { Storage = new PodStorage(ContainerDiskGb: 20) },
        };

        var error = await StartFailsAsync(driver, spec);

        Assert.Equal(PodFailureKind.UnsupportedSpec, error.Kind);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Empty(await ListAsync(driver));
    }

    [Fact]
    public void ApplyGpus_Count_IsNvidiasDeviceRequestLikeDockerRunGpus()
    {
        var host = new HostConfig();

        DockerPodDriver.ApplyGpus(host, new PodGpu(2));

        var request = Assert.Single(host.DeviceRequests);
        Assert.Equal("nvidia", request.Driver);
        Assert.Equal(2, request.Count);
        Assert.Equal(["gpu"], Assert.Single(request.Capabilities));
    }
}
