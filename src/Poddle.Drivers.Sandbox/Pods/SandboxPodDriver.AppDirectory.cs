using System.Diagnostics;
using System.Globalization;

namespace Poddle.Drivers.Sandbox.Pods;

// The pod's private, writable copy of its source (/app inside), owned by the sandbox uid.
public sealed partial class SandboxPodDriver
{
    private async Task PrepareAppDirectoryAsync(string? source, string app, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(app);
        if (source is not null)
        {
            CopyTree(new DirectoryInfo(source), app);
        }

        if (IsRoot)
        {
            // The copy belongs to the sandbox uid, so the pod can write there; chown -h never follows a symlink.
            var start = new ProcessStartInfo("/bin/chown") { UseShellExecute = false, RedirectStandardError = true };
            foreach (var arg in new[] { "-R", "-h", "--", $"{_sandbox.SandboxUid.ToString(CultureInfo.InvariantCulture)}:{_sandbox.SandboxGid.ToString(CultureInfo.InvariantCulture)}", app })
            {
                start.ArgumentList.Add(arg);
            }

            using var chown = Process.Start(start) ?? throw new InvalidOperationException("chown did not start");
            var errors = await chown.StandardError.ReadToEndAsync(cancellationToken);
            await chown.WaitForExitAsync(cancellationToken);
            if (chown.ExitCode != 0)
            {
                throw new IOException("chown of the pod's app directory failed: " + errors.Trim());
            }
        }
    }

    /// <summary>Copies a source tree; symlinks are copied as links (never followed: the server runs as root).</summary>
    private static void CopyTree(DirectoryInfo source, string target)
    {
        foreach (var entry in source.EnumerateFileSystemInfos())
        {
            var destination = Path.Join(target, entry.Name);
            if (entry.LinkTarget is { } link)
            {
                File.CreateSymbolicLink(destination, link);
            }
            else if (entry is DirectoryInfo directory)
            {
                Directory.CreateDirectory(destination);
                CopyTree(directory, destination);
            }
            else if (entry is FileInfo file)
            {
                file.CopyTo(destination);
            }
        }
    }
}
