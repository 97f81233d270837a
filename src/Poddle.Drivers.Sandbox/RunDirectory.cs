using System.Runtime.InteropServices;

namespace Poddle.Drivers.Sandbox;

/// <summary>
/// The fresh directory of one run, created and filled by the host and mounted read-only in the sandbox. Invariants:
/// the directory is created exclusively (mkdir fails if the name exists, so it can never be a pre-planted symlink or
/// someone else's directory); files are created with O_CREAT|O_EXCL, which never follows a symlink; nothing in the
/// sandbox can write here, so the tree the host deletes is the tree the host wrote, and it is never chowned.
/// </summary>
internal sealed class RunDirectory : IDisposable
{
    private const UnixFileMode ReadableDirectory =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode ReadableFile =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode ExecutableFile =
        ReadableFile | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>A run directory is PREFIX + the run id (<see cref="RunIds"/>).</summary>
    public const string Prefix = "poddle-run-";

    private RunDirectory(string path) => Path = path;

    public string Path { get; }

    public static RunDirectory Create(string root, string runId, IReadOnlyList<SandboxFile> files)
    {
        var path = System.IO.Path.Join(root, Prefix + runId);
        MakeDirectoryExclusive(path);
        var directory = new RunDirectory(path);
        try
        {
            directory.AddFiles(files, readableRoot: true);
            return directory;
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates an empty run directory, readable at once, for a prepared sandbox: it is mounted before the request's
    /// files exist, and <see cref="AddFiles"/> writes them at hand-out, before anything untrusted runs in it.
    /// </summary>
    public static RunDirectory CreateEmpty(string root, string runId)
    {
        var path = System.IO.Path.Join(root, Prefix + runId);
        MakeDirectoryExclusive(path);
        var directory = new RunDirectory(path);
        try
        {
            File.SetUnixFileMode(path, ReadableDirectory);
            return directory;
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>Writes files (O_EXCL, subdirectories with mkdir) and makes what it created readable once all is written.</summary>
    public void AddFiles(IReadOnlyList<SandboxFile> files, bool readableRoot = false)
    {
        var directories = readableRoot ? new List<string> { Path } : [];
        foreach (var file in files)
        {
            var segments = file.RelativePath.Split('/');
            var current = Path;
            foreach (var segment in segments[..^1])
            {
                current = System.IO.Path.Join(current, segment);
                if (!directories.Contains(current))
                {
                    MakeDirectoryExclusive(current);
                    directories.Add(current);
                }
            }

            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew, // O_CREAT | O_EXCL: fails on any existing name, symlinks included
                Access = FileAccess.Write,
                UnixCreateMode = file.Executable ? ExecutableFile : ReadableFile,
            };
            using var stream = new FileStream(System.IO.Path.Join(current, segments[^1]), options);
            stream.Write(file.Content.Span);
        }

        // Made readable for the sandbox's uid only once everything is written (0700 from mkdir until now).
        foreach (var created in directories)
        {
            File.SetUnixFileMode(created, ReadableDirectory);
        }
    }

    /// <summary>Checks a relative path: '/'-separated, no empty, "." or ".." segment, no NUL, not absolute.</summary>
    public static string? Validate(string relativePath)
    {
        if (string.IsNullOrEmpty(relativePath) || relativePath.StartsWith('/') || relativePath.Contains('\0', StringComparison.Ordinal))
        {
            return $"file path '{relativePath}' must be relative and non-empty";
        }

        return relativePath.Split('/').Any(s => s is "" or "." or "..")
            ? $"file path '{relativePath}' must not contain empty, '.' or '..' segments"
            : null;
    }

    /// <summary>
    /// Checks every path (<see cref="Validate(string)"/>) and that they fit in one tree: no path given twice, and none
    /// under a path that is a file. Otherwise the host's O_EXCL create or mkdir would fail mid-way and a bad request
    /// would read as internal_error.
    /// </summary>
    public static IEnumerable<string> Validate(IReadOnlyList<SandboxFile> files)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (Validate(file.RelativePath) is { } problem)
            {
                yield return problem;
            }
            else if (!paths.Add(file.RelativePath))
            {
                yield return $"file path '{file.RelativePath}' is given twice";
            }
        }

        foreach (var path in paths)
        {
            for (var slash = path.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = path.IndexOf('/', slash + 1))
            {
                if (paths.Contains(path[..slash]))
                {
                    yield return $"file path '{path}' is under '{path[..slash]}', which is a file";
                }
            }
        }
    }

    public void Dispose()
    {
        // Recursive delete unlinks symlinks rather than following them (and the sandbox cannot create any here).
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }

    private static void MakeDirectoryExclusive(string path)
    {
        if (Mkdir(path, 0x1C0 /* 0700 */) != 0)
        {
            throw new IOException($"cannot create {path}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    // mkdir(2) fails with EEXIST on any existing name; Directory.CreateDirectory would accept an existing directory.
    [DllImport("libc", SetLastError = true, EntryPoint = "mkdir")]
    private static extern int Mkdir([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);
}
