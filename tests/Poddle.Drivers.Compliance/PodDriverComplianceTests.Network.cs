using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.Compliance.Networking;

namespace Poddle.Drivers.Compliance;

/// <summary>
/// Network isolation, for drivers that claim it (<see cref="DriverCapabilities.NetworkIsolation"/>): a pod reaches the
/// internet (a test host in a network namespace of its own stands in for it) and the server's agent listener, and
/// nothing else of the machine: not another owner's pods, not a service the host runs on any of its addresses.
/// A pod reports what it reached in its log; the test reads the log.
/// </summary>
public abstract partial class PodDriverComplianceTests
{
    protected const string Reached = "reached";
    protected const string Refused = "refused";

    /// <summary>
    /// A shell command that prints <c>{name} reached</c> when a TCP connection to host:port opens within a few seconds,
    /// else <c>{name} refused</c> (python3's socket, busybox nc ...).
    /// </summary>
    protected virtual string ProbeCommand(string name, string host, int port) =>
        throw new NotSupportedException("a driver with network isolation supplies ProbeCommand");

    /// <summary>A shell command that prints the body of an HTTP GET of <paramref name="url"/> (python3's urllib, busybox wget ...).</summary>
    protected virtual string FetchCommand(string url) =>
        throw new NotSupportedException("a driver with network isolation supplies FetchCommand");

    /// <summary>Where pods reach the agent listener the test's driver was made with (the driver's AgentPort), null when none.</summary>
    protected virtual (string Host, TcpListener Listener)? AgentListener => null;

    [Fact]
    public async Task Network_AnotherOwnersPod_IsRefused()
    {
        if (!Driver.Capabilities.NetworkIsolation)
        {
            return;
        }

        var victim = await StartAsync(HttpServerScript, OwnerLabels("b"), port: 8080);
        var endpoint = await WaitForHttpAsync(victim);

        var intruder = await StartAsync(Probes([("other-owner", endpoint.Host, endpoint.Port)]), OwnerLabels("a"));

        Assert.Equal(Refused, await ProbeResultAsync(intruder, "other-owner"));
    }

    [Fact]
    public async Task Network_HostServicesOnEveryAddress_AreRefused_ButTheAgentListenerIsReached()
    {
        if (!Driver.Capabilities.NetworkIsolation)
        {
            return;
        }

        // A service on every address of the host, as PostgreSQL with listen_addresses='*' or a server on 0.0.0.0.
        using var service = new TcpListener(IPAddress.Any, 0);
        service.Start();
        var port = ((IPEndPoint)service.LocalEndpoint).Port;
        var targets = HostAddresses().Select(a => ($"host-{a}", a, port)).ToList();
        if (AgentListener is { } agent)
        {
            targets.Add(("agent", agent.Host, ((IPEndPoint)agent.Listener.LocalEndpoint).Port));
        }

        var pod = await StartAsync(Probes(targets), OwnerLabels("a"));

        foreach (var (name, _, _) in targets)
        {
            Assert.Equal(name == "agent" ? Reached : Refused, await ProbeResultAsync(pod, name));
        }
    }

    [Fact]
    public async Task Network_Egress_ReachesAHostOutsideTheMachine()
    {
        if (!Driver.Capabilities.NetworkIsolation)
        {
            return;
        }

        await using var outside = await TestNetworkHost.StartAsync();

        var pod = await StartAsync(FetchCommand(outside.TokenUrl) + "; echo; echo fetched", OwnerLabels("a"));

        await WaitForLogAsync(pod, "fetched");
        var lines = await ReadLogsAsync(pod, new PodLogQuery());
        Assert.Contains(lines, l => l.Text.Contains(outside.Token, StringComparison.Ordinal));
    }

    /// <summary>The host's IPv4 addresses (loopback and every interface's), each a way a pod might try to reach the host.</summary>
    protected static IReadOnlyList<string> HostAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown || i.NetworkInterfaceType == NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork)
            .Select(a => a.Address.ToString())
            .Distinct()
            .ToList();

    protected Dictionary<string, string> OwnerLabels(string tenant) => new() { [PodLabels.Tenant] = $"compliance-{tenant}-{RunId}" };

    protected string Probes(IEnumerable<(string Name, string Host, int Port)> targets) =>
        string.Join("; ", targets.Select(t => ProbeCommand(t.Name, t.Host, t.Port))) + "; echo probes-done";

    protected async Task<string> ProbeResultAsync(PodHandle pod, string name)
    {
        await WaitForLogAsync(pod, "probes-done");
        var lines = await ReadLogsAsync(pod, new PodLogQuery());
        var line = lines.Select(l => l.Text).LastOrDefault(t => t.StartsWith(name + " ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"the pod printed no result for {name}: {string.Join(" | ", lines.Select(l => l.Text))}");
        return line[(name.Length + 1)..];
    }
}
