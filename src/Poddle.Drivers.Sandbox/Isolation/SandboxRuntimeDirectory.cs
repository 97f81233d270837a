using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Poddle.Drivers.Sandbox.Isolation;

/// <summary>
/// The sandbox's own directory on the host (<see cref="SandboxOptions.RuntimeDirectory"/>, /run/poddle-sandbox as root).
/// It holds files the sandbox's start reads as root, so it must be owned by the server's uid and writable by nobody
/// else: the compiled seccomp filter and the mount tables, each named by a hash of its content (written once, never
/// changed, shared by every server on the host whatever its version), and <c>mnt</c>, an empty directory over which
/// each sandbox mounts its staging tmpfs in its own private mount namespace (so it stays empty on the host).
/// </summary>
internal sealed class SandboxRuntimeDirectory
{
    private const UnixFileMode DirectoryMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private static readonly Lazy<string> PrivateDefault = new(() => Directory.CreateTempSubdirectory("poddle-sandbox-").FullName);

    private readonly ConcurrentDictionary<string, string> _tables = new(StringComparer.Ordinal);

    private SandboxRuntimeDirectory(string path, string seccompFilter)
    {
        Path = path;
        SeccompFilterPath = seccompFilter;
    }

    public string Path { get; }

    /// <summary>The empty mount point of each sandbox's staging tmpfs.</summary>
    public string StagingPath => System.IO.Path.Join(Path, "mnt");

    /// <summary>The compiled seccomp filter (<see cref="SeccompFilter.Program"/>).</summary>
    public string SeccompFilterPath { get; }

    /// <summary>
    /// Creates the directory (or checks the one that is there) and writes the seccomp filter into it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The directory is unsafe or cannot be created; the message says what to fix.</exception>
    public static SandboxRuntimeDirectory Prepare(SandboxOptions options, bool root)
    {
        var path = options.RuntimeDirectory is { Length: > 0 } configured ? System.IO.Path.GetFullPath(configured) : root ? "/run/poddle-sandbox" : PrivateDefault.Value;
        try
        {
            EnsureDirectory(path);
            EnsureDirectory(System.IO.Path.Join(path, "mnt"));
            return new SandboxRuntimeDirectory(path, WriteOnce(path, "seccomp", ".bpf", SeccompFilter.Program));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Sandbox:RuntimeDirectory '{path}' cannot be prepared: {ex.Message}", ex);
        }
    }

    /// <summary>The path of a mount table (an fstab for <c>mount -a -T</c>) with this content, written the first time it is asked for.</summary>
    public string MountTable(string content) =>
        _tables.GetOrAdd(content, text => WriteOnce(Path, "mounts", ".fstab", Encoding.UTF8.GetBytes(text)));

    private static string WriteOnce(string directory, string prefix, string extension, byte[] content)
    {
        var path = System.IO.Path.Join(directory, $"{prefix}-{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}{extension}");
        if (!File.Exists(path))
        {
            // Another server may write the same file at the same time: both write the same bytes and the rename is atomic.
            var temporary = path + "." + Guid.NewGuid().ToString("N")[..8];
            using (var stream = new FileStream(temporary, new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode }))
            {
                stream.Write(content);
            }

            File.Move(temporary, path, overwrite: true);
        }

        return path;
    }

    private static void EnsureDirectory(string path)
    {
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, DirectoryMode);
        }

        // Files in here are read as root before the uid drop: nobody but the server's own uid may be able to swap them.
        var status = HostPathStatus.Read(path) ?? throw new IOException($"{path} cannot be read");
        if (status.IsSymbolicLink || !status.IsDirectory)
        {
            throw new InvalidOperationException($"Sandbox:RuntimeDirectory: {path} must be a directory, not a symlink or a file");
        }

        if (status.OwnerUid != GetEffectiveUid() || status.WritableByOthers)
        {
            throw new InvalidOperationException(
                $"Sandbox:RuntimeDirectory: {path} must be owned by uid {GetEffectiveUid()} and writable by nobody else (it is uid {status.OwnerUid}, mode {Convert.ToString((int)status.Mode, 8)})");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUid();
}
