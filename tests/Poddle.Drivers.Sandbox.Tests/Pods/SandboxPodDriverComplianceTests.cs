using System.Net;
using System.Net.Sockets;
using Poddle.Drivers.Abstractions.Host;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.Compliance;

namespace Poddle.Drivers.Sandbox.Tests.Pods;

/// <summary>The driver compliance suite on the sandbox pod driver (real bubblewrap, cgroups and pod networks).</summary>
[Collection(RealSandbox.Name)]
public sealed class SandboxPodDriverComplianceTests : PodDriverComplianceTests, IDisposable
{
    private readonly string _stateDirectory = PodTestDrivers.NewStateDirectory();

    // What the server's agent listener is to real pods: a port on the host's loopback, mapped into every pod's namespace.
    private readonly TcpListener _agent = StartListener();

    protected override string HttpServerScript => "exec python3 -m http.server $PORT --bind 127.0.0.1";

    protected override (string Host, TcpListener Listener)? AgentListener => ("127.0.0.1", _agent);

    public void Dispose() => _agent.Dispose();

    protected override Task<IPodDriver> CreateDriverAsync() => Task.FromResult<IPodDriver>(PodTestDrivers.Create(_stateDirectory, agentPort: AgentPort));

    // A second driver object on the same state directory: what a restarted server builds.
    protected override Task<IPodDriver> CreateRestartedDriverAsync() => Task.FromResult<IPodDriver>(PodTestDrivers.Create(_stateDirectory, agentPort: AgentPort));

    protected override PodSpec ShellSpec(
        string script, IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> env, int? port, PodResources resources) =>
        new("compliance", labels, null, ["/bin/sh", "-c", script], null, env, port, resources);

    protected override string ProbeCommand(string name, string host, int port) =>
        $"python3 -c \"import socket; c = socket.socket(); c.settimeout(3); r = c.connect_ex(('{host}', {port})); print('{name}', 'reached' if r == 0 else 'refused', flush=True)\"";

    protected override string FetchCommand(string url) =>
        $"python3 -c \"import urllib.request; print(urllib.request.urlopen('{url}', timeout=5).read().decode(), flush=True)\"";

    private int AgentPort => ((IPEndPoint)_agent.LocalEndpoint).Port;

    // Below the ephemeral range, as the server picks its own: the driver puts the port into the host-wide firewall set of
    // agent ports, where it stays if this process dies; an ephemeral one could come back as another test's "host service"
    // (a listener on port 0) and be reached from its pods.
    private static TcpListener StartListener()
    {
        var listener = new TcpListener(IPAddress.Loopback, FreeTcpPort.Pick());
        listener.Start();
        return listener;
    }
}
