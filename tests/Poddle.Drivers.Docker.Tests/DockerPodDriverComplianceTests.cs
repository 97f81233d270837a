using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Poddle.Drivers.Abstractions.Host;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.Compliance;

namespace Poddle.Drivers.Docker.Tests;

/// <summary>The driver compliance suite on the real Docker Engine, with busybox's sh, httpd, nc and wget in the test image.</summary>
public sealed class DockerPodDriverComplianceTests : PodDriverComplianceTests, IDisposable
{
    // What the server's agent listener is to real pods: a port on the address of Docker's default bridge.
    private readonly (string Host, TcpListener Listener) _agent = StartAgentListener();

    protected override string HttpServerScript => "mkdir -p /tmp/www && echo ok > /tmp/www/index.html && exec httpd -f -p $PORT -h /tmp/www";

    protected override (string Host, TcpListener Listener)? AgentListener => _agent;

    public void Dispose() => _agent.Listener.Dispose();

    protected override async Task<IPodDriver> CreateDriverAsync()
    {
        var options = DockerTestEngine.Options();
        options.AgentPort = ((IPEndPoint)_agent.Listener.LocalEndpoint).Port;
        return await DockerTestEngine.CreateDriverAsync(options);
    }

    protected override PodSpec ShellSpec(string script, IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> env, int? port, PodResources resources) =>
        new("compliance", labels, DockerTestEngine.BusyboxImage, ["sh", "-c", script], null, env, port, resources);

    // busybox nc runs the program after -e once connected (exit 0) and exits 1 when the connection fails.
    protected override string ProbeCommand(string name, string host, int port) =>
        $"if nc -w 3 {host} {port} -e true </dev/null 2>/dev/null; then echo '{name} reached'; else echo '{name} refused'; fi";

    // Debian's static busybox wget crashes (glibc's resolver in a static binary); nc speaks plain HTTP/1.0 as well.
    protected override string FetchCommand(string url)
    {
        var uri = new Uri(url);
        return $"printf 'GET {uri.PathAndQuery} HTTP/1.0\\r\\nHost: {uri.Host}\\r\\n\\r\\n' | nc -w 5 {uri.Host} {uri.Port}";
    }

    // Tenants are kept apart by the driver's own firewall as well as by Docker's isolation chains; what it refuses between
    // tenant bridges must not cut the pods of one tenant off from each other (that traffic stays on its bridge).
    [Fact]
    public async Task Network_SameTenantsPods_ReachEachOther()
    {
        var server = await StartAsync(HttpServerScript, OwnerLabels("a"), port: 8080);
        var endpoint = await WaitForHttpAsync(server);

        var peer = await StartAsync(Probes([("same-tenant", endpoint.Host, endpoint.Port)]), OwnerLabels("a"));

        Assert.Equal(Reached, await ProbeResultAsync(peer, "same-tenant"));
    }

    private static (string Host, TcpListener Listener) StartAgentListener()
    {
        var bridge = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(i => i.Name == "docker0")
            ?? throw new InvalidOperationException("these tests need Docker's default bridge docker0 (bash scripts/test.sh starts dockerd)");
        var address = bridge.GetIPProperties().UnicastAddresses.First(a => a.Address.AddressFamily == AddressFamily.InterNetwork).Address;
        // Below the ephemeral range (the firewall's agent-port set outlives a killed test: see the sandbox's suite).
        var listener = new TcpListener(address, FreeTcpPort.Pick());
        listener.Start();
        return (address.ToString(), listener);
    }
}
