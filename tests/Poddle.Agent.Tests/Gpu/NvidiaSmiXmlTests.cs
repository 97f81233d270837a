using Poddle.Agent.Gpu;
using Poddle.Agent.Tests.Fixtures;

namespace Poddle.Agent.Tests.Gpu;

public sealed class NvidiaSmiXmlTests
{
    [Fact]
    public void Parse_RealH100Capture_ReadsDriverAndTheGpu()
    {
        var snapshot = NvidiaSmiXml.Parse(GpuFixtures.Read("nvidia-smi-q.xml"));

        Assert.Equal("580.159.04", snapshot.DriverVersion);
        Assert.Equal("13.0", snapshot.CudaVersion);
        Assert.Empty(snapshot.Processes);
        var gpu = Assert.Single(snapshot.Gpus);
        Assert.Equal(0, gpu.Index);
        Assert.Equal("NVIDIA H100 80GB HBM3", gpu.Name);
        Assert.Equal("GPU-340536dd-2de0-163b-67c0-2e1ce2908ceb", gpu.Uuid);
        Assert.Equal("580.159.04", gpu.DriverVersion);
        Assert.Equal("P0", gpu.PerformanceState);
        Assert.Equal("Enabled", gpu.PersistenceMode);
        Assert.Equal(81559, gpu.MemoryTotalMiB);
        Assert.Equal(0, gpu.MemoryUsedMiB);
        Assert.Equal(81079, gpu.MemoryFreeMiB);
        Assert.Equal(0, gpu.UtilizationPercent);
        Assert.Equal(0, gpu.MemoryUtilizationPercent);
        Assert.Equal(43, gpu.TemperatureC);
        Assert.Equal(97.51, gpu.PowerDrawW); // average_power_draw; instant_power_draw was 73.72 W
        Assert.Equal(700.00, gpu.PowerLimitW);
        Assert.Equal(345, gpu.SmClockMHz);
        Assert.Equal(2619, gpu.MemoryClockMHz);
    }

    [Fact]
    public void Parse_OlderDriverNamesAndProcesses()
    {
        // The shape of drivers before 530: power_readings/power_draw, and a process holding memory.
        const string xml = """
            <?xml version="1.0" ?>
            <!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v11.dtd">
            <nvidia_smi_log>
              <driver_version>470.182.03</driver_version>
              <cuda_version>11.4</cuda_version>
              <gpu id="00000000:00:04.0">
                <product_name>Tesla T4</product_name>
                <uuid>GPU-t4</uuid>
                <fan_speed>N/A</fan_speed>
                <fb_memory_usage><total>15109 MiB</total><used>2048 MiB</used><free>13061 MiB</free></fb_memory_usage>
                <utilization><gpu_util>87 %</gpu_util><memory_util>40 %</memory_util></utilization>
                <temperature><gpu_temp>N/A</gpu_temp></temperature>
                <power_readings><power_draw>65.12 W</power_draw><power_limit>70.00 W</power_limit></power_readings>
                <processes>
                  <process_info><pid>4242</pid><type>C</type><process_name>python3</process_name><used_memory>2040 MiB</used_memory></process_info>
                </processes>
              </gpu>
            </nvidia_smi_log>
            """;

        var snapshot = NvidiaSmiXml.Parse(xml);

        var gpu = Assert.Single(snapshot.Gpus);
        Assert.Equal(65.12, gpu.PowerDrawW);
        Assert.Equal(70, gpu.PowerLimitW);
        Assert.Null(gpu.TemperatureC);
        Assert.Equal(87, gpu.UtilizationPercent);
        Assert.Equal(13.6, gpu.MemoryUsedPercent);
        Assert.Equal(new GpuProcess(4242, "python3", 2040, "GPU-t4"), Assert.Single(snapshot.Processes));
    }

    [Theory]
    [InlineData("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.")]
    [InlineData("<html></html>")]
    public void Parse_NotNvidiaSmiXml_IsAFormatError(string text) =>
        Assert.Throws<FormatException>(() => NvidiaSmiXml.Parse(text));
}
