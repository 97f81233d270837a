using System.Net;
using System.Net.Sockets;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Sandbox.Pods;

// Host ports handed to pods ($PORT): free on the host, in the configured range, and not held by another pod of this
// state directory (recorded) or of this process (reserved between allocation and the record being written).
public sealed partial class SandboxPodDriver
{
    private int AllocatePort()
    {
        var used = new HashSet<int>();
        foreach (var directory in Directory.EnumerateDirectories(_options.StateDirectory, PodIdPrefix + "*"))
        {
            if (ReadRecord(Path.GetFileName(directory))?.Port is { } taken)
            {
                used.Add(taken);
            }
        }

        lock (_portLock)
        {
            var count = _options.PortRangeEnd - _options.PortRangeStart + 1;
            var offset = Random.Shared.Next(count);
            for (var i = 0; i < count; i++)
            {
                var port = _options.PortRangeStart + ((offset + i) % count);
                if (used.Contains(port) || _reservedPorts.Contains(port) || !IsFree(port))
                {
                    continue;
                }

                _reservedPorts.Add(port);
                return port;
            }
        }

        throw new PodDriverException(PodFailureKind.InsufficientResources, $"no free port in {_options.PortRangeStart}-{_options.PortRangeEnd}");
    }

    /// <summary>Holds a recorded pod's port in this process (a pod re-adopted after a restart).</summary>
    private void ReservePort(int port)
    {
        lock (_portLock)
        {
            _reservedPorts.Add(port);
        }
    }

    /// <summary>Gives a removed pod's port back.</summary>
    private void ReleasePort(int port)
    {
        lock (_portLock)
        {
            _reservedPorts.Remove(port);
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
