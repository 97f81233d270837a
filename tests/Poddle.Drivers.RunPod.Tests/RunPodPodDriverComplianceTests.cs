using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.Compliance;
using Poddle.Testing.RunPod;

namespace Poddle.Drivers.RunPod.Tests;

/// <summary>
/// The driver compliance suite against the RunPod fake over real HTTP (not against RunPod). What RunPod cannot do is
/// declared in the driver's capabilities and checked as such by the suite: no exit status, logs, stats, signals or
/// exec, and endpoints not reachable from this machine.
/// </summary>
public sealed class RunPodPodDriverComplianceTests : PodDriverComplianceTests
{
    private RunPodFake? _fake;

    protected override string HttpServerScript => "python3 -m http.server $PORT";

    protected override async Task<IPodDriver> CreateDriverAsync()
    {
        _fake ??= await RunPodFake.StartAsync();
        return RunPodTestDriver.Create(RunPodTestDriver.Options(_fake));
    }

    protected override PodSpec ShellSpec(string script, IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> env, int? port, PodResources resources) =>
        new("compliance", labels, "runpod/base:0.6.2-cuda12.2.0", ["sh", "-c", script], null, env, port, resources)
        {
            Gpu = new PodGpu(1, RunPodTestDriver.GpuType),
        };

    protected override async ValueTask DisposeDriverAsync(IPodDriver podDriver)
    {
        await base.DisposeDriverAsync(podDriver);
        if (_fake is not null && ReferenceEquals(podDriver, Driver))
        {
            await _fake.DisposeAsync();
        }
    }
}
