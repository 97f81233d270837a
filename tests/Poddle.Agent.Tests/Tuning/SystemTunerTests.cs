using System.Text.Json;
using Poddle.Agent.Tests.Support;
using Poddle.Agent.Tuning;

namespace Poddle.Agent.Tests.Tuning;

/// <summary>The tuning phase against a temporary /proc/sys tree and fake nvidia-smi scripts.</summary>
public sealed class SystemTunerTests : IDisposable
{
    private readonly TestDirectory _directory = new();
    private readonly ListLoggerProvider _logs = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task TuneAsync_WritableProcSys_SetsSomaxconnAndSwappiness()
    {
        var procSys = ProcSys(somaxconn: "128", swappiness: "60");

        var steps = await Tuner(procSys, "no-such-nvidia-smi").TuneAsync(CancellationToken.None);

        Assert.Equal(("applied", "4096"), (Step(steps, "somaxconn").Result, File.ReadAllText(Path.Combine(procSys, "net/core/somaxconn")).Trim()));
        Assert.Equal(("applied", "10"), (Step(steps, "swappiness").Result, File.ReadAllText(Path.Combine(procSys, "vm/swappiness")).Trim()));
        Assert.Equal("skipped", Step(steps, "gpu-persistence").Result);
        Assert.Contains("not found", Step(steps, "gpu-persistence").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TuneAsync_ValuesAlreadyGood_AreSkippedAndLeftAlone()
    {
        var procSys = ProcSys(somaxconn: "8192", swappiness: "10");

        var steps = await Tuner(procSys, "no-such-nvidia-smi").TuneAsync(CancellationToken.None);

        Assert.Equal("skipped", Step(steps, "somaxconn").Result);
        Assert.Equal("8192", File.ReadAllText(Path.Combine(procSys, "net/core/somaxconn")).Trim());
        Assert.Equal("skipped", Step(steps, "swappiness").Result);
    }

    [Fact]
    public async Task TuneAsync_MissingOrUnwritableSysctls_AreSkippedWithTheReason()
    {
        var procSys = _directory.File("sys");
        Directory.CreateDirectory(Path.Combine(procSys, "vm", "swappiness")); // a directory where a file should be: writing fails

        var steps = await Tuner(procSys, "no-such-nvidia-smi").TuneAsync(CancellationToken.None);

        Assert.Equal("skipped", Step(steps, "somaxconn").Result);
        Assert.Contains("does not exist", Step(steps, "somaxconn").Detail, StringComparison.Ordinal);
        Assert.Equal("skipped", Step(steps, "swappiness").Result);
    }

    [Fact]
    public async Task TuneAsync_NvidiaSmiPresent_RunsPersistenceModeAndReportsItsAnswer()
    {
        var calls = _directory.File("calls");
        var script = Script("nvidia-smi", $"echo \"$@\" >> {calls}\necho 'Enabled persistence mode for GPU 00000000:18:00.0.'\nexit 0");

        var step = Step(await Tuner(ProcSys("4096", "10"), script).TuneAsync(CancellationToken.None), "gpu-persistence");

        Assert.Equal("applied", step.Result);
        Assert.Contains("Enabled persistence mode", step.Detail, StringComparison.Ordinal);
        Assert.Equal("-pm 1", File.ReadAllText(calls).Trim());
    }

    [Fact]
    public async Task TuneAsync_NvidiaSmiFails_IsFailedWithItsMessage()
    {
        var script = Script("nvidia-smi", "echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.' >&2\nexit 9");

        var step = Step(await Tuner(ProcSys("4096", "10"), script).TuneAsync(CancellationToken.None), "gpu-persistence");

        Assert.Equal("failed", step.Result);
        Assert.Contains("exited 9", step.Detail, StringComparison.Ordinal);
        Assert.Contains("could not communicate", step.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TuneAsync_OpenFilesAlreadyHighEnough_IsSkipped()
    {
        var tuner = new SystemTuner(new TuningSettings(ProcSys("4096", "10"), "none", 1024, 4096, 10, "/nonexistent"), _logs.For<SystemTuner>());

        var step = Step(await tuner.TuneAsync(CancellationToken.None), "nofile");

        Assert.Equal("skipped", step.Result);
        Assert.StartsWith("already", step.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteStatusAsync_WritesTheStepsWithPodIdAndTime()
    {
        var path = _directory.File("status/pod-optimization-status.json");
        var time = DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(await Tuner(ProcSys("4096", "10"), "none").WriteStatusAsync(path, new TuningStatus("pod-1", "runpod", "h", time, [new TuningStep("nofile", "applied", "1024 to 65536")]), CancellationToken.None));

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal("pod-1", json.RootElement.GetProperty("podId").GetString());
        Assert.Equal("runpod", json.RootElement.GetProperty("environment").GetString());
        Assert.Equal(time, json.RootElement.GetProperty("time").GetDateTimeOffset());
        Assert.Equal("applied", json.RootElement.GetProperty("steps")[0].GetProperty("result").GetString());
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
    }

    [Fact]
    public async Task WriteStatusAsync_UnwritablePath_IsLoggedAsSkippedNotThrown()
    {
        var blocker = _directory.File("a-file");
        File.WriteAllText(blocker, "x");

        Assert.False(await Tuner(ProcSys("4096", "10"), "none").WriteStatusAsync(Path.Combine(blocker, "status.json"), new TuningStatus(null, "linux", "h", DateTimeOffset.UtcNow, []), CancellationToken.None));
        Assert.Contains("skipped", _logs.Text, StringComparison.Ordinal);
    }

    private static TuningStep Step(IReadOnlyList<TuningStep> steps, string name) => steps.Single(s => s.Name == name);

    private SystemTuner Tuner(string procSys, string nvidiaSmi) =>
        new(new TuningSettings(procSys, nvidiaSmi, 1024, 4096, 10, "/nonexistent"), _logs.For<SystemTuner>());

    private string ProcSys(string somaxconn, string swappiness)
    {
        var root = _directory.File("sys-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(Path.Combine(root, "net", "core"));
        Directory.CreateDirectory(Path.Combine(root, "vm"));
        File.WriteAllText(Path.Combine(root, "net/core/somaxconn"), somaxconn + "\n");
        File.WriteAllText(Path.Combine(root, "vm/swappiness"), swappiness + "\n");
        return root;
    }

    private string Script(string name, string body)
    {
        var path = _directory.File(name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
