using System.Text;
using Microsoft.Extensions.Logging;

namespace Poddle.Core.Jobs;

/// <summary>
/// Who this server is across its restarts, so that at start it can tell which leases were held by itself before a
/// kill -9 (and take them back at once) from leases held by other servers sharing the database (which only expiry may
/// end). Job lease owners and the controller lease carry <see cref="LeasePrefix"/>. A server with a data directory keeps
/// its id there (<see cref="FileName"/>) and holds the file locked while it runs: a second live process on the same
/// directory cannot take the id (it gets a fresh one, and takes nothing back), and the lock ends with the process, however
/// it ends. Without a data directory the id is new in every process (<see cref="Ephemeral"/>), which takes nothing back.
/// </summary>
public sealed partial class ServerInstance : IDisposable
{
    /// <summary>The file in the data directory that holds the id.</summary>
    public const string FileName = "server-instance";

    private readonly FileStream? _lock;

    /// <param name="id">At most 64 characters of [A-Za-z0-9-] (it is put in lease owners and matched by prefix).</param>
    /// <param name="persistent">Whether a restarted process of this server has the same id (then it may take back its own leases).</param>
    public ServerInstance(string id, bool persistent)
        : this(id, persistent, null)
    {
    }

    private ServerInstance(string id, bool persistent, FileStream? held)
    {
        if (!IsValidId(id))
        {
            throw new ArgumentException("A server instance id is 1 to 64 characters of [A-Za-z0-9-].", nameof(id));
        }

        Id = id;
        Persistent = persistent;
        _lock = held;
    }

    public string Id { get; }

    /// <summary>True when this id outlives the process: leases carrying it and another process's tag are this server's from before a restart.</summary>
    public bool Persistent { get; }

    /// <summary>Every lease owner this server writes starts with this ("{id}/").</summary>
    public string LeasePrefix => Id + "/";

    /// <summary>A server instance that no later process will be (tests, embedders without a data directory).</summary>
    public static ServerInstance Ephemeral() => new(Guid.NewGuid().ToString("N"), persistent: false);

    /// <summary>
    /// The id kept in <paramref name="directory"/>/<see cref="FileName"/>, created on first use and locked for this
    /// process's life; an ephemeral instance (logged) when another live process holds it or the file cannot be used.
    /// </summary>
    public static ServerInstance Open(string directory, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var path = Path.Combine(directory, FileName);
        FileStream? file = null;
        try
        {
            Directory.CreateDirectory(directory);

            // FileShare.None takes an exclusive advisory lock (flock on Unix): released by the kernel when the process dies.
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            file = new FileStream(path, options);
            var buffer = new byte[128];
            var read = file.Read(buffer);
            var stored = Encoding.ASCII.GetString(buffer, 0, read).Trim();
            if (!IsValidId(stored))
            {
                stored = Guid.NewGuid().ToString("N");
                file.SetLength(0);
                file.Write(Encoding.ASCII.GetBytes(stored + "\n"));
                file.Flush(flushToDisk: true);
            }

            return new ServerInstance(stored, persistent: true, file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            file?.Dispose();
            LogNotPersistent(logger, path, ex.Message);
            return Ephemeral();
        }
    }

    public void Dispose() => _lock?.Dispose();

    private static bool IsValidId(string id) =>
        id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    [LoggerMessage(Level = LogLevel.Warning, Message = "Server instance id file {Path} is in use by another process or unusable ({Reason}); this process cannot take back jobs it held before a restart, they resume when their leases expire")]
    private static partial void LogNotPersistent(ILogger logger, string path, string reason);
}
