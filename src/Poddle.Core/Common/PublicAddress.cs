using System.Net;
using System.Net.Sockets;

namespace Poddle.Core.Common;

/// <summary>
/// Whether an address is on the public internet, for connections the server makes to a URL a user chose (a webhook):
/// not loopback, not a private network (RFC 1918, IPv6 unique local), not link-local (a cloud's metadata service at
/// 169.254.169.254), not carrier-grade NAT, unspecified, multicast or reserved — so a user's URL cannot make the server
/// open its own admin endpoints, its database or the machine's credentials.
/// </summary>
public static class PublicAddress
{
    private static readonly (IPAddress Network, int Length)[] NonPublicV4 =
    [
        (IPAddress.Parse("0.0.0.0"), 8),
        (IPAddress.Parse("10.0.0.0"), 8),
        (IPAddress.Parse("100.64.0.0"), 10),
        (IPAddress.Parse("127.0.0.0"), 8),
        (IPAddress.Parse("169.254.0.0"), 16),
        (IPAddress.Parse("172.16.0.0"), 12),
        (IPAddress.Parse("192.0.0.0"), 24),
        (IPAddress.Parse("192.168.0.0"), 16),
        (IPAddress.Parse("198.18.0.0"), 15),
        (IPAddress.Parse("224.0.0.0"), 4),
        (IPAddress.Parse("240.0.0.0"), 4),
    ];

    private static readonly (IPAddress Network, int Length)[] NonPublicV6 =
    [
        (IPAddress.Parse("::"), 128),
        (IPAddress.Parse("::1"), 128),
        (IPAddress.Parse("fc00::"), 7),
        (IPAddress.Parse("fe80::"), 10),
        (IPAddress.Parse("ff00::"), 8),
        (IPAddress.Parse("64:ff9b:1::"), 48),
    ];

    /// <summary>True for an address on the public internet; an IPv4-mapped IPv6 address is judged as its IPv4 address.</summary>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var ranges = address.AddressFamily == AddressFamily.InterNetwork ? NonPublicV4 : NonPublicV6;
        return !ranges.Any(r => Contains(r.Network, r.Length, address));
    }

    private static bool Contains(IPAddress network, int length, IPAddress address)
    {
        if (network.AddressFamily != address.AddressFamily)
        {
            return false;
        }

        var a = network.GetAddressBytes();
        var b = address.GetAddressBytes();
        var whole = length / 8;
        for (var i = 0; i < whole; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }

        var rest = length % 8;
        if (rest == 0)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - rest));
        return (a[whole] & mask) == (b[whole] & mask);
    }
}
