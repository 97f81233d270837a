namespace Poddle.Drivers.Sandbox.Cgroups;

internal static class CgroupFiles
{
    /// <summary>
    /// Writes a control file; it must exist (cgroupfs creates them), so a typo never creates a plain file. O_TRUNC, as a
    /// shell's '>' does: cgroupfs ignores it, and a plain file (the tests' fake tree) then holds exactly the last value.
    /// </summary>
    internal static void Write(string path, string value)
    {
        using var stream = new FileStream(path, FileMode.Truncate, FileAccess.Write);
        var bytes = System.Text.Encoding.ASCII.GetBytes(value);
        stream.Write(bytes);
    }

    internal static long ReadLong(string path) =>
        File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), out var value) ? value : 0;

    /// <summary>Joins a path relative to a hierarchy root ("/poddle-sandbox") onto a mount point.</summary>
    internal static string Combine(string mountPoint, string relative) =>
        Path.Join(mountPoint, relative.TrimStart('/'));
}
