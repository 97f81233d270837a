using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;

namespace Poddle.Agent.Bench;

/// <summary>
/// Finds the processes listening on a local TCP port, as `ss -ltnp` does: the socket's inode from /proc/net/tcp and
/// /proc/net/tcp6 (state 0A = LISTEN), then every /proc/PID/fd link that names socket:[inode]. Seeing other users'
/// descriptors needs root or the same user; what cannot be read is skipped.
/// </summary>
public static class LocalProcessFinder
{
    /// <summary>Whether <paramref name="host"/> is this machine (loopback, or an address of one of its interfaces).</summary>
    public static async Task<bool> IsLocalAsync(string host, CancellationToken cancellationToken)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }

        var local = NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .ToHashSet();
        return addresses.Any(a => IPAddress.IsLoopback(a) || a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any) || local.Contains(a));
    }

    /// <summary>The processes holding a socket that listens on <paramref name="port"/>, lowest pid first; empty when none is visible.</summary>
    public static IReadOnlyList<int> FindListeners(int port, string procRoot = "/proc")
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "net/tcp", "net/tcp6" })
        {
            foreach (var inode in ListeningInodes(Path.Combine(procRoot, table), port))
            {
                inodes.Add("socket:[" + inode + "]");
            }
        }

        if (inodes.Count == 0)
        {
            return [];
        }

        var pids = new List<int>();
        foreach (var directory in EnumerateSafely(() => Directory.EnumerateDirectories(procRoot)))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            foreach (var fd in EnumerateSafely(() => Directory.EnumerateFileSystemEntries(Path.Combine(directory, "fd"))))
            {
                string? target;
                try
                {
                    target = new FileInfo(fd).LinkTarget;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    continue;
                }

                if (target is not null && inodes.Contains(target))
                {
                    pids.Add(pid);
                    break;
                }
            }
        }

        pids.Sort();
        return pids;
    }

    /// <summary>
    /// The inodes of sockets in LISTEN state on <paramref name="port"/> in one /proc/net/tcp-format table:
    /// "sl local_address rem_address st ... uid timeout inode", addresses as HEXIP:HEXPORT.
    /// </summary>
    public static IEnumerable<string> ListeningInodes(string tablePath, int port)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(tablePath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 10 || fields[3] != "0A")
            {
                continue;
            }

            var colon = fields[1].LastIndexOf(':');
            if (colon > 0 && int.TryParse(fields[1].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var localPort) && localPort == port && fields[9] != "0")
            {
                yield return fields[9];
            }
        }
    }

    private static List<string> EnumerateSafely(Func<IEnumerable<string>> enumerate)
    {
        try
        {
            return enumerate().ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
