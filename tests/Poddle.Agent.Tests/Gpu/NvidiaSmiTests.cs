using Poddle.Agent.Gpu;
using Poddle.Agent.Tests.Fixtures;

namespace Poddle.Agent.Tests.Gpu;

public sealed class NvidiaSmiTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("poddle-nvsmi-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task QueryGpus_RealProcessPrintingTheH100Capture_AsksForTheFieldsAndParses()
    {
        var script = GpuFixtures.FakeNvidiaSmi(_dir);

        var result = await new NvidiaSmi(script).QueryGpusAsync(CancellationToken.None);

        Assert.Null(result.Error);
        Assert.Equal(script, result.Path);
        Assert.Equal("NVIDIA H100 80GB HBM3", Assert.Single(result.Gpus).Name);
        Assert.Equal($"{NvidiaSmiCsv.QueryGpuArgument} --format=csv,noheader,nounits", File.ReadAllText(Path.Combine(_dir, "args.txt")).Trim());
    }

    [Fact]
    public async Task QueryGpus_FoundOnSearchPath()
    {
        GpuFixtures.FakeNvidiaSmi(_dir);

        var result = await new NvidiaSmi("nvidia-smi", searchPath: "/nonexistent:" + _dir).QueryGpusAsync(CancellationToken.None);

        Assert.Equal(Path.Combine(_dir, "nvidia-smi"), result.Path);
        Assert.Single(result.Gpus);
    }

    [Fact]
    public async Task QueryGpus_Missing_IsNotFoundNotAnException()
    {
        var result = await new NvidiaSmi("nvidia-smi", searchPath: _dir).QueryGpusAsync(CancellationToken.None);

        Assert.False(result.Found);
        Assert.Equal("nvidia-smi not found", result.Error);
        Assert.Empty(result.Gpus);
    }

    [Fact]
    public async Task QueryGpus_DriverFailure_SaysWhatNvidiaSmiSaid()
    {
        var script = GpuFixtures.FakeNvidiaSmi(_dir, fixture: null, exitCode: 9, stderr: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.");

        var result = await new NvidiaSmi(script).QueryGpusAsync(CancellationToken.None);

        Assert.True(result.Found);
        Assert.Equal("nvidia-smi exited with 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.", result.Error);
    }

    [Fact]
    public async Task QueryGpus_Hanging_IsKilledAfterTheTimeout()
    {
        var script = GpuFixtures.FakeNvidiaSmi(_dir, hang: true);
        var started = DateTime.UtcNow;

        var result = await new NvidiaSmi(script, TimeSpan.FromMilliseconds(300)).QueryGpusAsync(CancellationToken.None);

        Assert.Equal("nvidia-smi did not answer within 0.3 s", result.Error);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }
}
