using Docker.DotNet.Models;

namespace Poddle.Drivers.Docker.Tests;

/// <summary>The address pods reach the host at, on a fresh engine whose bridge reports no gateway too.</summary>
public sealed partial class DockerPodDriverTests
{
    [Fact]
    public void HostAddressOf_FreshEngineBridgeWithoutGateway_IsTheBridgeInterfacesAddress()
    {
        // `docker network inspect bridge` on a first start of Docker 20.10: a subnet, no gateway.
        var network = new NetworkResponse
        {
            Name = "bridge",
            Driver = "bridge",
            ID = "8decc0eeccfdd0c8a4f44db9cbc2539e3e9ef1428f4dd3bae7b5930474d96713",
            IPAM = new IPAM { Driver = "default", Config = [new IPAMConfig { Subnet = "172.17.0.0/16" }] },
            Options = new Dictionary<string, string> { [DockerPodDriver.BridgeNameOption] = "docker0" },
        };
        var asked = new List<string>();

        var address = DockerPodDriver.HostAddressOf(network, name =>
        {
            asked.Add(name);
            return name == "docker0" ? "172.17.0.1" : null;
        });

        Assert.Equal("172.17.0.1", address);
        Assert.Equal(["docker0"], asked);
    }

    [Fact]
    public void HostAddressOf_GatewayWhenThereIsOne_UserBridgeByItsId_HostNetworkLoopback()
    {
        var withGateway = new NetworkResponse { Driver = "bridge", IPAM = new IPAM { Config = [new IPAMConfig { Subnet = "fd00::/64", Gateway = "fd00::1" }, new IPAMConfig { Subnet = "10.9.0.0/24", Gateway = "10.9.0.1/24" }] } };
        var userBridge = new NetworkResponse { Driver = "bridge", ID = "0123456789abcdef", IPAM = new IPAM { Config = [new IPAMConfig { Subnet = "10.8.0.0/24" }] } };

        Assert.Equal("10.9.0.1", DockerPodDriver.HostAddressOf(withGateway, _ => throw new InvalidOperationException("not asked")));
        Assert.Equal("10.8.0.1", DockerPodDriver.HostAddressOf(userBridge, name => name == "br-0123456789ab" ? "10.8.0.1" : null));
        Assert.Equal("127.0.0.1", DockerPodDriver.HostAddressOf(new NetworkResponse { Driver = "host" }, _ => null));
        Assert.Null(DockerPodDriver.HostAddressOf(new NetworkResponse { Driver = "null" }, _ => null));
    }

    [Fact]
    public void InterfaceAddress_ReadsThisMachinesInterfaces() =>
        Assert.Equal("127.0.0.1", DockerPodDriver.InterfaceAddress("lo"));

    [Fact]
    public async Task GetHostAddress_RealEngine_IsTheBridgeGatewayOrItsInterfaceAndAContainerReachesTheHostThere()
    {
        // Below the ephemeral range: the port goes into the host-wide firewall set of agent ports (see the compliance suites).
        var port = Poddle.Drivers.Abstractions.Host.FreeTcpPort.Pick();
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Any, port);
        listener.Start();
        var accepted = listener.AcceptTcpClientAsync();
        // The one port of the host an tenant network may open is the agent listener's: the listener stands in for it.
        var options = DockerTestEngine.Options();
        options.AgentPort = port;
        var driver = await DriverAsync(options);
        var bridge = await Engine.Networks.InspectNetworkAsync("bridge");
        var expected = bridge.IPAM?.Config?.Select(c => c.Gateway).FirstOrDefault(g => !string.IsNullOrEmpty(g))
            ?? DockerPodDriver.InterfaceAddress(bridge.Options![DockerPodDriver.BridgeNameOption]);

        var address = await driver.GetHostAddressAsync(Timeout(10));
        var handle = await StartAsync(driver, Spec($"echo hello | nc -w 5 {address} {port} && echo sent"));

        using (await accepted.WaitAsync(TimeSpan.FromSeconds(30)))
        {
            // Accepted: closing it ends the container's nc.
        }

        Assert.Equal(expected, address);
        Assert.Same(address, await driver.GetHostAddressAsync(Timeout(10)));
        Assert.Equal(["sent"], await OutputAsync(driver, handle));
    }
}
