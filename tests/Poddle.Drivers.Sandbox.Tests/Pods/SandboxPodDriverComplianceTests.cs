using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.Compliance;

namespace Poddle.Drivers.Sandbox.Tests.Pods;

/// <summary>The driver compliance suite on the sandbox pod driver (real bubblewrap and cgroups).</summary>
[Collection(RealSandbox.Name)]
public sealed class SandboxPodDriverComplianceTests : PodDriverComplianceTests
{
    private readonly string _stateDirectory = PodTestDrivers.NewStateDirectory();

    protected override string HttpServerScript => "exec python3 -m http.server $PORT --bind 127.0.0.1";

    protected override Task<IPodDriver> CreateDriverAsync() => Task.FromResult<IPodDriver>(PodTestDrivers.Create(_stateDirectory));

    // A second driver object on the same state directory: what a restarted server builds.
    protected override Task<IPodDriver> CreateRestartedDriverAsync() => Task.FromResult<IPodDriver>(PodTestDrivers.Create(_stateDirectory));

    protected override PodSpec ShellSpec(
        string script, IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> env, int? port, PodResources resources) =>
        new("compliance", labels, null, ["/bin/sh", "-c", script], null, env, port, resources);
}
