using Poddle.Drivers.Sandbox.Pods;

namespace Poddle.Drivers.Sandbox.Tests.Pods;

/// <summary>Sandbox pod drivers with this test project's uid, cgroup parent and work root (see <see cref="SandboxChecks"/>).</summary>
internal static class PodTestDrivers
{
    /// <summary>A fresh state directory under the project's work root: each test's pods stay apart.</summary>
    public static string NewStateDirectory() => Path.Join(SandboxChecks.WorkRoot, "pods-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>A driver on <paramref name="stateDirectory"/>; a second one on the same directory is a restarted server.</summary>
    public static SandboxPodDriver Create(string stateDirectory, bool useCgroups = true, long logMaxBytes = 10L * 1024 * 1024, int agentPort = 0,
        SandboxPodNetworkMode network = SandboxPodNetworkMode.Isolated) =>
        new(
            SandboxChecks.Options(useCgroups),
            new SandboxPodOptions { StateDirectory = stateDirectory, PortRangeStart = 21000, PortRangeEnd = 21999, LogMaxBytes = logMaxBytes, AgentPort = agentPort, Network = network });
}
