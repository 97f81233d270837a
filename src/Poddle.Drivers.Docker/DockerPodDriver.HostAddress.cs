using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace Poddle.Drivers.Docker;

/// <summary>The address containers reach the host at: what PODDLE_SERVER is built from when no URL is configured.</summary>
public sealed partial class DockerPodDriver
{
    /// <summary>The option of a bridge network that names its Linux interface ("docker0" for the default bridge).</summary>
    internal const string BridgeNameOption = "com.docker.network.bridge.name";

    /// <summary>
    /// The host's address on <see cref="DockerDriverOptions.Network"/>: its IPAM gateway, else the address of the
    /// network's bridge interface on this host (a fresh Docker 20.10 engine reports the default bridge's subnet without a
    /// gateway), "127.0.0.1" for the host network. Cached once found; null (and asked again next time) when the engine
    /// is down or the network has neither. The interface is looked up on this machine, so that fallback needs the server
    /// on the engine's host, as <see cref="DockerEndpointMode.ContainerAddress"/> does.
    /// </summary>
    public async Task<string?> GetHostAddressAsync(CancellationToken cancellationToken)
    {
        if (_hostAddress is { } known)
        {
            return known;
        }

        NetworkResponse network;
        try
        {
            network = await _client.Networks.InspectNetworkAsync(_options.Network, cancellationToken);
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken) || ex is DockerApiException)
        {
            LogHostAddressUnknown(_logger, _options.Network, Describe(ex));
            return null;
        }

        var address = HostAddressOf(network, InterfaceAddress);
        if (address is null)
        {
            LogHostAddressUnknown(_logger, _options.Network, "no IPAM gateway and no bridge interface address");
        }

        _hostAddress = address;
        return address;
    }

    /// <summary>The host's address on <paramref name="network"/>; <paramref name="interfaceAddress"/> gives an interface's IPv4 address by name.</summary>
    internal static string? HostAddressOf(NetworkResponse network, Func<string, string?> interfaceAddress)
    {
        var gateways = (network.IPAM?.Config ?? [])
            .Select(c => c.Gateway?.Split('/')[0])
            .Select(g => IPAddress.TryParse(g, out var ip) ? ip : null)
            .OfType<IPAddress>()
            .OrderBy(ip => ip.AddressFamily == AddressFamily.InterNetwork ? 0 : 1)
            .ToList();
        if (gateways.Count > 0)
        {
            return gateways[0].ToString();
        }

        switch (network.Driver)
        {
            case "bridge":
                // The default bridge names its interface in its options; a user-defined bridge is br-<first 12 of its id>.
                var name = Label(network.Options, BridgeNameOption)
                    ?? (network.ID is { Length: >= 12 } id ? "br-" + id[..12] : null);
                return name is null ? null : interfaceAddress(name);
            case "host":
                return IPAddress.Loopback.ToString();
            default:
                return null;
        }
    }

    /// <summary>The first IPv4 address of the interface named <paramref name="name"/> on this machine; null when there is none.</summary>
    internal static string? InterfaceAddress(string name) =>
        NetworkInterface.GetAllNetworkInterfaces()
            .FirstOrDefault(n => n.Name == name)?
            .GetIPProperties().UnicastAddresses
            .Select(u => u.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)?
            .ToString();

    [LoggerMessage(Level = LogLevel.Warning, Message = "docker: the host's address on network {Network} is unknown ({Detail}); set Agents:DriverServerUrls:docker to the URL pods reach the server at")]
    private static partial void LogHostAddressUnknown(ILogger logger, string network, string detail);
}
