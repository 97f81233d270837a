using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Docker.Tests;

/// <summary>Commands run in a running container (command health checks).</summary>
public sealed partial class DockerPodDriverTests
{
    [Fact]
    public async Task Exec_Command_ExitCodeAndBothStreams()
    {
        var driver = await DriverAsync();
        var handle = await StartAsync(driver, Spec("sleep 60"));

        var result = await driver.ExecAsync(handle, ["sh", "-c", "echo out; echo err >&2; exit 3"], TimeSpan.FromSeconds(10), Timeout(30));
        var ok = await driver.ExecAsync(handle, ["true"], TimeSpan.FromSeconds(10), Timeout(30));

        Assert.Equal((3, false, false), (result.ExitCode, result.TimedOut, result.OutputTruncated));
        Assert.Contains("out\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("err\n", result.Output, StringComparison.Ordinal);
        Assert.Equal((0, string.Empty), (ok.ExitCode, ok.Output));
        Assert.True(driver.Capabilities.Exec);
    }

    [Fact]
    public async Task Exec_RunsAsThePodsUserWithItsRestrictions()
    {
        var driver = await DriverAsync();
        var handle = await StartAsync(driver, Spec("sleep 60") with { Security = new PodSecurity(ReadOnlyRootFilesystem: true, User: "65534") });

        var id = await driver.ExecAsync(handle, ["id", "-u"], TimeSpan.FromSeconds(10), Timeout(30));
        var write = await driver.ExecAsync(handle, ["touch", "/x"], TimeSpan.FromSeconds(10), Timeout(30));

        Assert.Equal("65534", id.Output.Trim());
        Assert.NotEqual(0, write.ExitCode);
    }

    [Fact]
    public async Task Exec_LongOutput_IsCapped()
    {
        var driver = await DriverAsync();
        var handle = await StartAsync(driver, Spec("sleep 60"));

        var result = await driver.ExecAsync(handle, ["sh", "-c", "head -c 100000 /dev/zero | tr '\\0' y"], TimeSpan.FromSeconds(10), Timeout(30));

        Assert.Equal(0, result.ExitCode);
        Assert.True(result.OutputTruncated);
        Assert.Equal(new string('y', PodExecResult.MaxOutputChars), result.Output);
    }

    [Fact]
    public async Task Exec_SlowerThanTheTimeout_TimedOutAndKilled()
    {
        var driver = await DriverAsync();
        var handle = await StartAsync(driver, Spec("sleep 60"));

        var result = await driver.ExecAsync(handle, ["sh", "-c", "echo started; exec sleep 37"], TimeSpan.FromSeconds(1), Timeout(30));
        var left = await driver.ExecAsync(handle, ["ps"], TimeSpan.FromSeconds(10), Timeout(30));

        Assert.True(result.TimedOut);
        Assert.Equal(-1, result.ExitCode);
        Assert.Contains("started", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("sleep 37", left.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_ExitedOrDestroyedPod_Throws()
    {
        var driver = await DriverAsync();
        var handle = await StartAsync(driver, Spec("exit 0"));
        await driver.WaitAsync(handle, Timeout(30));

        var exited = await Assert.ThrowsAsync<PodDriverException>(() => driver.ExecAsync(handle, ["true"], TimeSpan.FromSeconds(5), Timeout(30)));
        await driver.DestroyAsync(handle, Timeout(30));
        var gone = await Assert.ThrowsAsync<PodDriverException>(() => driver.ExecAsync(handle, ["true"], TimeSpan.FromSeconds(5), Timeout(30)));

        Assert.Contains("not running", exited.Message, StringComparison.Ordinal);
        Assert.Contains("not running", gone.Message, StringComparison.Ordinal);
    }
}
