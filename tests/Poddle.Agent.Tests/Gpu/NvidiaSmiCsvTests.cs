using Poddle.Agent.Gpu;
using Poddle.Agent.Tests.Fixtures;

namespace Poddle.Agent.Tests.Gpu;

public sealed class NvidiaSmiCsvTests
{
    [Fact]
    public void ParseGpus_RealH100CaptureWithoutHeaderOrUnits_ReadsEveryField()
    {
        var gpu = Assert.Single(NvidiaSmiCsv.ParseGpus(GpuFixtures.Read("query-gpu.csv")));

        Assert.Equal(0, gpu.Index);
        Assert.Equal("GPU-340536dd-2de0-163b-67c0-2e1ce2908ceb", gpu.Uuid);
        Assert.Equal("NVIDIA H100 80GB HBM3", gpu.Name);
        Assert.Equal("580.159.04", gpu.DriverVersion);
        Assert.Equal("P0", gpu.PerformanceState);
        Assert.Equal(43, gpu.TemperatureC);
        Assert.Equal(0, gpu.UtilizationPercent);
        Assert.Equal(0, gpu.MemoryUtilizationPercent);
        Assert.Equal(81559, gpu.MemoryTotalMiB);
        Assert.Equal(0, gpu.MemoryUsedMiB);
        Assert.Equal(81079, gpu.MemoryFreeMiB);
        Assert.Equal(104.30, gpu.PowerDrawW);
        Assert.Equal(700.00, gpu.PowerLimitW);
        Assert.Equal("Enabled", gpu.PersistenceMode);
        Assert.Equal(345, gpu.SmClockMHz);
        Assert.Equal(2619, gpu.MemoryClockMHz);
        Assert.Equal(0, gpu.MemoryUsedPercent);
    }

    [Fact]
    public void ParseGpus_RealCaptureWithHeaderAndUnits_NamesColumnsByHeaderAndStripsUnits()
    {
        var gpu = Assert.Single(NvidiaSmiCsv.ParseGpus(GpuFixtures.Read("query-gpu-header.csv")));

        Assert.Equal(0, gpu.Index);
        Assert.Equal("NVIDIA H100 80GB HBM3", gpu.Name);
        Assert.Equal(0, gpu.UtilizationPercent);
        Assert.Equal(0, gpu.MemoryUsedMiB);
        Assert.Equal(81559, gpu.MemoryTotalMiB);

        // Not asked for in that query: unknown, not zero.
        Assert.Null(gpu.TemperatureC);
        Assert.Null(gpu.PowerDrawW);
        Assert.Null(gpu.Uuid);
    }

    [Fact]
    public void ParseGpus_NotAvailableAndNotSupported_AreNullNotZero()
    {
        var text = "0, GPU-a, NVIDIA A100-SXM4-40GB MIG 1g.5gb, 535.104.05, P0, [N/A], [Not Supported], [N/A], 4864, 13, 4851, [N/A], [Not Supported], Enabled, 1410, 1215\n"
            + "1, GPU-b, Tesla T4, 535.104.05, P8, 31, 7, 1, 15360, 3, 15357, 9.87, 70.00, Disabled, 300, 405\n";

        var gpus = NvidiaSmiCsv.ParseGpus(text);

        Assert.Equal(2, gpus.Count);
        Assert.Null(gpus[0].TemperatureC);
        Assert.Null(gpus[0].UtilizationPercent);
        Assert.Null(gpus[0].PowerDrawW);
        Assert.Null(gpus[0].PowerLimitW);
        Assert.Equal(4864, gpus[0].MemoryTotalMiB);
        Assert.Equal(0.3, gpus[0].MemoryUsedPercent);
        Assert.Equal(1, gpus[1].Index);
        Assert.Equal(9.87, gpus[1].PowerDrawW);
        Assert.Equal(31, gpus[1].TemperatureC);
    }

    [Fact]
    public void ParseGpus_WrongColumnCount_IsAFormatErrorNamingTheFields()
    {
        var ex = Assert.Throws<FormatException>(() => NvidiaSmiCsv.ParseGpus("0, NVIDIA H100 80GB HBM3, 43\n"));

        Assert.Contains("3 columns, expected 16", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseGpus_CustomFieldsAndEmptyOutput()
    {
        var gpus = NvidiaSmiCsv.ParseGpus("2, 55, 1234\n", ["index", "temperature.gpu", "memory.used"]);

        Assert.Equal(2, Assert.Single(gpus).Index);
        Assert.Equal(55, gpus[0].TemperatureC);
        Assert.Equal(1234, gpus[0].MemoryUsedMiB);
        Assert.Empty(NvidiaSmiCsv.ParseGpus("\n"));
    }

    [Fact]
    public void ParseComputeApps_RealCaptureWithNoProcesses_IsEmpty()
    {
        Assert.Equal("pid, process_name, used_gpu_memory [MiB]", GpuFixtures.Read("compute-apps.csv").Trim());
        Assert.Empty(NvidiaSmiCsv.ParseComputeApps(GpuFixtures.Read("compute-apps.csv")));
    }

    [Fact]
    public void ParseComputeApps_WithProcesses_HeaderOrFields()
    {
        var withHeader = GpuFixtures.Read("compute-apps.csv").Trim() + "\n4242, python3, 30720 MiB\n77, /usr/bin/vllm, [N/A]\n";
        var withoutHeader = "GPU-340536dd-2de0-163b-67c0-2e1ce2908ceb, 4242, python3, 30720\n";

        var fromHeader = NvidiaSmiCsv.ParseComputeApps(withHeader);
        var fromFields = Assert.Single(NvidiaSmiCsv.ParseComputeApps(withoutHeader));

        Assert.Equal([new GpuProcess(4242, "python3", 30720, null), new GpuProcess(77, "/usr/bin/vllm", null, null)], fromHeader);
        Assert.Equal(new GpuProcess(4242, "python3", 30720, "GPU-340536dd-2de0-163b-67c0-2e1ce2908ceb"), fromFields);
    }

    [Theory]
    [InlineData("81559 MiB", 81559.0)]
    [InlineData("104.30 W", 104.30)]
    [InlineData("43 C", 43.0)]
    [InlineData("0 %", 0.0)]
    [InlineData("[N/A]", null)]
    [InlineData("[Not Supported]", null)]
    [InlineData("N/A", null)]
    [InlineData("", null)]
    [InlineData("Enabled", null)]
    public void ParseNumber_UnitsAndMissingValues(string text, double? expected) =>
        Assert.Equal(expected, NvidiaSmiCsv.ParseNumber(text));
}
