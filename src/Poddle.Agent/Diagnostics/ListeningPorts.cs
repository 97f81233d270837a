using System.Globalization;
using System.Net;

namespace Poddle.Agent.Diagnostics;

/// <summary>A TCP socket in LISTEN state.</summary>
/// <param name="Protocol">"tcp" or "tcp6".</param>
/// <param name="Address">The local address ("0.0.0.0", "127.0.0.1", "::").</param>
/// <param name="Port">The local port.</param>
/// <param name="Inode">The socket's inode (what /proc/[pid]/fd links name).</param>
/// <param name="Pid">The process holding it, when its /proc/[pid]/fd could be read (root, or the same user).</param>
/// <param name="Process">That process's name.</param>
public sealed record ListeningSocket(string Protocol, string Address, int Port, long Inode, int? Pid, string? Process);

/// <summary>Listening TCP sockets from /proc/net/tcp and tcp6, with the owning process found through /proc/[pid]/fd.</summary>
public static class ListeningPorts
{
    private const string ListenState = "0A";

    public static IReadOnlyList<ListeningSocket> Read(string procRoot)
    {
        var sockets = new List<ListeningSocket>();
        foreach (var protocol in new[] { "tcp", "tcp6" })
        {
            string text;
            try
            {
                text = File.ReadAllText(Path.Combine(procRoot, "net", protocol));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            sockets.AddRange(Parse(text, protocol));
        }

        var owners = SocketOwners(procRoot, sockets.Select(s => s.Inode).ToHashSet());
        return sockets
            .Select(s => owners.TryGetValue(s.Inode, out var owner) ? s with { Pid = owner.Pid, Process = owner.Name } : s)
            .OrderBy(s => s.Port).ThenBy(s => s.Protocol, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The LISTEN rows of a /proc/net/tcp or tcp6 table.</summary>
    public static IEnumerable<ListeningSocket> Parse(string table, string protocol)
    {
        foreach (var line in table.Split('\n').Skip(1))
        {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 10 || fields[3] != ListenState)
            {
                continue;
            }

            var local = fields[1].Split(':');
            if (local.Length != 2
                || !int.TryParse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port)
                || !long.TryParse(fields[9], NumberStyles.Integer, CultureInfo.InvariantCulture, out var inode)
                || ParseAddress(local[0]) is not { } address)
            {
                continue;
            }

            yield return new ListeningSocket(protocol, address.ToString(), port, inode, null, null);
        }
    }

    /// <summary>
    /// The kernel prints an address as 32-bit words in host byte order: "0100007F" is 127.0.0.1 on a little-endian
    /// machine. Each word is turned back into its bytes in memory order.
    /// </summary>
    public static IPAddress? ParseAddress(string hex)
    {
        if (hex.Length is not (8 or 32))
        {
            return null;
        }

        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < hex.Length / 8; word++)
        {
            if (!uint.TryParse(hex.AsSpan(word * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value))
            {
                return null;
            }

            // GetBytes yields the word's bytes in this machine's order: the order the kernel had them in memory.
            BitConverter.GetBytes(value).CopyTo(bytes, word * 4);
        }

        var address = new IPAddress(bytes);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    private static Dictionary<long, (int Pid, string Name)> SocketOwners(string procRoot, HashSet<long> inodes)
    {
        var owners = new Dictionary<long, (int, string)>();
        if (inodes.Count == 0)
        {
            return owners;
        }

        IEnumerable<string> directories;
        try
        {
            directories = Directory.EnumerateDirectories(procRoot).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return owners;
        }

        foreach (var directory in directories)
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                string? name = null;
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(directory, "fd")))
                {
                    // "socket:[12345]"
                    if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal)
                        && long.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.Integer, CultureInfo.InvariantCulture, out var inode)
                        && inodes.Contains(inode))
                    {
                        name ??= File.ReadAllText(Path.Combine(directory, "comm")).Trim();
                        owners.TryAdd(inode, (pid, name));
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Another user's process (without root) or one that exited: its sockets stay without an owner.
            }
        }

        return owners;
    }
}
