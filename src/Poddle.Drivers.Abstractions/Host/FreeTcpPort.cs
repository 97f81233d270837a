using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Poddle.Drivers.Abstractions.Host;

/// <summary>
/// A TCP port to listen on later, picked below the kernel's ephemeral range (net.ipv4.ip_local_port_range). A port the
/// kernel hands out for port 0 comes from that range, and so does the local port of every outgoing connection: between
/// picking such a port and binding it, a database client's new connection can take it ("address already in use"). A
/// port below the range is only ever taken by someone who asked for it by number.
/// </summary>
public static class FreeTcpPort
{
    private const int Lowest = 10000;
    private const int Attempts = 64;
    private const string RangeFile = "/proc/sys/net/ipv4/ip_local_port_range";

    /// <summary>A port no one listens on now on 127.0.0.1 or on every address; from the ephemeral range only when the range below it is full.</summary>
    public static int Pick()
    {
        var highest = EphemeralLow() - 1;
        for (var attempt = 0; highest > Lowest && attempt < Attempts; attempt++)
        {
            var port = Random.Shared.Next(Lowest, highest + 1);
            if (IsFree(port))
            {
                return port;
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        foreach (var address in new[] { IPAddress.Loopback, IPAddress.Any })
        {
            try
            {
                using var listener = new TcpListener(address, port);
                listener.Start();
            }
            catch (SocketException)
            {
                return false;
            }
        }

        return true;
    }

    private static int EphemeralLow()
    {
        try
        {
            var first = File.ReadAllText(RangeFile).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0];
            return int.Parse(first, NumberStyles.None, CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }
}
