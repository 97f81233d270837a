using System.Runtime.InteropServices;

namespace Poddle.Drivers.Sandbox.Isolation;

/// <summary>
/// Owner and mode of a host path, not following a final symlink: what decides whether the sandbox's uid can reach a
/// directory, and whether a directory the sandbox trusts (its runtime directory) can be changed by someone else. The BCL
/// has the mode but not the owner, so this reads statx(2), whose struct layout is the same on every architecture.
/// </summary>
internal readonly record struct HostPathStatus(uint OwnerUid, UnixFileMode Mode, bool IsDirectory, bool IsSymbolicLink)
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int FileTypeMask = 0xF000;
    private const int Directory = 0x4000;
    private const int SymbolicLink = 0xA000;

    /// <summary>Whether a user other than the owner and its group may enter the directory (o+x).</summary>
    public bool SearchableByOthers => (Mode & UnixFileMode.OtherExecute) != 0;

    /// <summary>Whether group or others may create, rename or delete entries in it.</summary>
    public bool WritableByOthers => (Mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0;

    /// <summary>The status of <paramref name="path"/>, or null when it does not exist or cannot be read.</summary>
    public static HostPathStatus? Read(string path)
    {
        var buffer = new byte[256];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            return null;
        }

        var uid = BitConverter.ToUInt32(buffer, 20);
        var mode = BitConverter.ToUInt16(buffer, 28);
        return new HostPathStatus(uid, (UnixFileMode)(mode & 0xFFF), (mode & FileTypeMask) == Directory, (mode & FileTypeMask) == SymbolicLink);
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "statx")]
    private static extern int Statx(int directoryFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);
}
