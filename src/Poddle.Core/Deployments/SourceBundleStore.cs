using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Poddle.Core.Deployments;

/// <summary>Where source bundles live: {DataDir}/sources.</summary>
public sealed record SourceBundleDirectory(string Path);

/// <summary>The stored archive: its SHA-256 (hex) and size.</summary>
public sealed record StoredSourceBundle(string Sha256, long SizeBytes);

/// <summary>Why an archive was refused (not gzip, not tar, an entry that would escape the directory, too big ...). The message names no file content.</summary>
public sealed class InvalidSourceBundleException(string message) : Exception(message);

/// <summary>
/// Uploaded source bundles (tar.gz): stored as {root}/{id}.tar.gz, unpacked safely on demand into {root}/{id}/ for the
/// sandbox driver. Unpacking refuses absolute paths, '..', links that lead outside the directory, devices and FIFOs,
/// more than <see cref="MaxEntries"/> entries and more than <see cref="MaxUnpackedBytes"/> bytes, and every entry the
/// file system could not hold (names over NAME_MAX, paths over <see cref="MaxPathBytes"/>, deeper than <see cref="MaxDepth"/>),
/// each refused with a message naming the entry (a 400 for the uploader, never a 500). It writes to a
/// temporary directory first and renames it into place, so concurrent callers see either nothing or the whole tree.
/// </summary>
public sealed class SourceBundleStore(SourceBundleDirectory root)
{
    public const int MaxEntries = 10_000;

    /// <summary>With the unpacked size limit taken from <see cref="DeploymentOptions.MaxSourceBytes"/> (4 ×, at most 1 GiB).</summary>
    public SourceBundleStore(SourceBundleDirectory root, Microsoft.Extensions.Options.IOptions<DeploymentOptions> options)
        : this(root)
    {
        MaxUnpackedBytes = Math.Min(4 * options.Value.MaxSourceBytes, 1024L * 1024 * 1024);
    }

    /// <summary>The longest name of one path component, in UTF-8 bytes (Linux's NAME_MAX).</summary>
    public const int MaxNameBytes = 255;

    /// <summary>
    /// The longest entry path (and symbolic link target), in UTF-8 bytes: well under PATH_MAX (4096) once the data
    /// directory is in front of it, and longer than any path a real app tree needs.
    /// </summary>
    public const int MaxPathBytes = 1024;

    /// <summary>How many directories deep an entry may be.</summary>
    public const int MaxDepth = 64;

    /// <summary>How deep symbolic links may chain while they are checked.</summary>
    private const int MaxLinkHops = 40;

    /// <summary>Unpacked size limit: 4 × the largest accepted archive, at most 1 GiB.</summary>
    public long MaxUnpackedBytes { get; init; } = 4 * 50L * 1024 * 1024;

    /// <summary>The archive's path.</summary>
    public string ArchivePath(Guid sourceId) => Path.Combine(root.Path, sourceId.ToString("N") + ".tar.gz");

    /// <summary>
    /// Copies <paramref name="content"/> into {root}/{id}.tar.gz, hashing it; null (and nothing kept) when it is longer than
    /// <paramref name="maxBytes"/>. Then checks that it unpacks safely (throws <see cref="InvalidSourceBundleException"/> and keeps
    /// nothing when not), leaving the unpacked tree ready for the first deployment.
    /// </summary>
    public async Task<StoredSourceBundle?> SaveAsync(Guid sourceId, Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(root.Path);
        var target = ArchivePath(sourceId);
        var temp = target + ".upload-" + Guid.NewGuid().ToString("N")[..8];
        long total = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    total += read;
                    if (total > maxBytes)
                    {
                        return null;
                    }

                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }

            if (total == 0)
            {
                throw new InvalidSourceBundleException("The body is empty; send a tar.gz of the app's directory.");
            }

            File.Move(temp, target, overwrite: true);
            try
            {
                await PrepareDirectoryAsync(sourceId, cancellationToken);
            }
            catch
            {
                File.Delete(target);
                throw;
            }

            return new StoredSourceBundle(Convert.ToHexStringLower(hash.GetHashAndReset()), total);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// A directory holding the bundle unpacked (made once per bundle, reused afterwards). Throws
    /// <see cref="FileNotFoundException"/> when the bundle does not exist and <see cref="InvalidSourceBundleException"/>
    /// when it does not unpack safely.
    /// </summary>
    public async Task<string> PrepareDirectoryAsync(Guid sourceId, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(root.Path, sourceId.ToString("N"));
        if (Directory.Exists(directory))
        {
            return directory;
        }

        var archive = ArchivePath(sourceId);
        if (!File.Exists(archive))
        {
            throw new FileNotFoundException($"Source bundle {sourceId} does not exist.", archive);
        }

        var temp = Path.Combine(root.Path, ".unpack-" + sourceId.ToString("N") + "-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Directory.CreateDirectory(temp);
            await UnpackAsync(archive, temp, cancellationToken);
            try
            {
                Directory.Move(temp, directory);
            }
            catch (IOException) when (Directory.Exists(directory))
            {
                // Another caller unpacked the same bundle first: use theirs.
            }

            return directory;
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }

    /// <summary>Removes the archive and its unpacked tree.</summary>
    public void Delete(Guid sourceId)
    {
        File.Delete(ArchivePath(sourceId));
        var directory = Path.Combine(root.Path, sourceId.ToString("N"));
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private async Task UnpackAsync(string archive, string destination, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(archive);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var reader = new TarReader(gzip);
        var entries = 0;
        long written = 0;
        var links = new List<string>();
        var current = "";
        try
        {
            while (await NextEntryAsync(reader, current, cancellationToken) is { } entry)
            {
                current = entry.Name;
                if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
                {
                    continue;
                }

                if (++entries > MaxEntries)
                {
                    throw new InvalidSourceBundleException($"The archive has more than {MaxEntries} entries.");
                }

                var relative = CheckEntryPath(entry.Name);
                if (relative.Length == 0)
                {
                    continue; // "./" itself
                }

                var path = Path.Combine(destination, relative);
                EnsureNoLinkOnTheWay(destination, relative);
                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        // Archives list a directory again (tar -r, several roots); a file or a link of that name is a clash.
                        if (!Directory.Exists(path) || new DirectoryInfo(path).LinkTarget is not null)
                        {
                            RefuseExisting(path, relative);
                        }

                        Directory.CreateDirectory(path);
                        break;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        written += entry.Length;
                        if (written > MaxUnpackedBytes)
                        {
                            throw new InvalidSourceBundleException($"The archive unpacks to more than {MaxUnpackedBytes} bytes.");
                        }

                        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                        RefuseExisting(path, relative);
                        await using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                        {
                            if (entry.DataStream is { } data)
                            {
                                await CopyLimitedAsync(data, output, entry.Length, cancellationToken);
                            }
                        }

                        if (!OperatingSystem.IsWindows())
                        {
                            File.SetUnixFileMode(path, ModeOf(entry));
                        }

                        break;
                    case TarEntryType.SymbolicLink:
                        if (string.IsNullOrEmpty(entry.LinkName) || Path.IsPathRooted(entry.LinkName) || entry.LinkName.Contains('\0', StringComparison.Ordinal))
                        {
                            throw new InvalidSourceBundleException($"The symbolic link '{Printable(relative)}' points outside the bundle.");
                        }

                        CheckLengths(entry.LinkName, $"The symbolic link '{Printable(relative)}' has a target");
                        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                        RefuseExisting(path, relative);
                        File.CreateSymbolicLink(path, entry.LinkName);
                        links.Add(relative);
                        break;
                    case TarEntryType.HardLink:
                        // Copied, not linked: the copy cannot alias a file outside the bundle.
                        CheckLengths(entry.LinkName ?? "", $"The hard link '{Printable(relative)}' has a target");
                        var source = ResolveInside(destination, CheckEntryPath(entry.LinkName ?? ""), relative);
                        var sourcePath = Path.Combine(destination, source);
                        if (!File.Exists(sourcePath) || new FileInfo(sourcePath).LinkTarget is not null)
                        {
                            throw new InvalidSourceBundleException($"The hard link '{Printable(relative)}' does not point to a file earlier in the bundle.");
                        }

                        written += new FileInfo(sourcePath).Length;
                        if (written > MaxUnpackedBytes)
                        {
                            throw new InvalidSourceBundleException($"The archive unpacks to more than {MaxUnpackedBytes} bytes.");
                        }

                        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                        RefuseExisting(path, relative);
                        File.Copy(sourcePath, path);
                        break;
                    default:
                        throw new InvalidSourceBundleException($"The entry '{Printable(relative)}' is a {entry.EntryType}; a bundle holds only files, directories and links.");
                }
            }

            // Every link, with every other link in place, must resolve inside the bundle (as the kernel would follow it).
            foreach (var link in links)
            {
                current = link;
                ResolveInside(destination, link, link);
            }
        }
        catch (PathTooLongException)
        {
            // The checks above keep names within NAME_MAX and paths well within PATH_MAX; a very long data directory can
            // still tip one over. It is this entry the file system cannot hold, not a server fault.
            throw new InvalidSourceBundleException($"The entry '{Printable(current)}' has a path too long to unpack here; shorten it.");
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
        {
            throw new InvalidSourceBundleException("The body is not a valid tar.gz archive.");
        }
    }

    /// <summary>
    /// The next entry; an entry the reader cannot represent (a GNU sparse or multi-volume file ...) is refused, naming
    /// the entry before it since the reader gives no name for it.
    /// </summary>
    private static async Task<TarEntry?> NextEntryAsync(TarReader reader, string previous, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.GetNextEntryAsync(copyData: false, cancellationToken);
        }
        catch (NotSupportedException ex)
        {
            var where = previous.Length == 0 ? "The first entry" : $"The entry after '{Printable(previous)}'";
            throw new InvalidSourceBundleException($"{where} is of a kind a bundle cannot hold ({ex.Message}); only files, directories and links are allowed.");
        }
    }

    /// <summary>The entry's path made relative and checked: no absolute path, no '..', no NUL, no name or path too long to create.</summary>
    private static string CheckEntryPath(string name)
    {
        if (name.Contains('\0', StringComparison.Ordinal) || name.StartsWith('/') || name.Contains('\\', StringComparison.Ordinal) && Path.IsPathRooted(name))
        {
            throw new InvalidSourceBundleException($"The entry '{Printable(name)}' has an absolute path.");
        }

        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
        if (parts.Contains(".."))
        {
            throw new InvalidSourceBundleException($"The entry '{Printable(name)}' climbs out of the bundle ('..').");
        }

        var relative = string.Join('/', parts);
        CheckLengths(relative, $"The entry '{Printable(relative)}' has a path");
        if (parts.Count > MaxDepth)
        {
            throw new InvalidSourceBundleException($"The entry '{Printable(relative)}' is {parts.Count} levels deep; at most {MaxDepth} are allowed.");
        }

        return relative;
    }

    /// <summary>
    /// Refuses a path (an entry's, or a link's target) the file system could not hold: a component over NAME_MAX or the
    /// whole over <see cref="MaxPathBytes"/>, counted in UTF-8 bytes as the kernel counts them. <paramref name="what"/>
    /// starts the message and names the entry.
    /// </summary>
    private static void CheckLengths(string path, string what)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
        {
            throw new InvalidSourceBundleException($"{what} longer than {MaxPathBytes} bytes.");
        }

        if (path.Split('/').FirstOrDefault(p => System.Text.Encoding.UTF8.GetByteCount(p) > MaxNameBytes) is { } name)
        {
            throw new InvalidSourceBundleException($"{what} with a name longer than {MaxNameBytes} bytes ('{Printable(name)}').");
        }
    }

    /// <summary>No entry may be written through a link: every existing ancestor must be a real directory.</summary>
    private static void EnsureNoLinkOnTheWay(string destination, string relative)
    {
        var parts = relative.Split('/');
        var current = destination;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            current = Path.Combine(current, parts[i]);
            var info = new DirectoryInfo(current);
            if (info.LinkTarget is not null)
            {
                throw new InvalidSourceBundleException($"The entry '{Printable(relative)}' would be written through the link '{string.Join('/', parts[..(i + 1)])}'.");
            }

            if (!info.Exists && File.Exists(current))
            {
                throw new InvalidSourceBundleException($"The entry '{Printable(relative)}' is inside '{string.Join('/', parts[..(i + 1)])}', which is a file.");
            }
        }
    }

    private static void RefuseExisting(string path, string relative)
    {
        if (File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            throw new InvalidSourceBundleException($"The entry '{Printable(relative)}' appears twice in the archive.");
        }
    }

    /// <summary>
    /// Resolves <paramref name="relative"/> inside <paramref name="destination"/> component by component, following links as
    /// the kernel does; throws when any step leaves the directory. Returns the resolved relative path.
    /// </summary>
    private static string ResolveInside(string destination, string relative, string entry)
    {
        var pending = new Queue<string>(relative.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var resolved = new List<string>();
        var hops = 0;
        while (pending.Count > 0)
        {
            var part = pending.Dequeue();
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (resolved.Count == 0)
                {
                    throw new InvalidSourceBundleException($"The link '{Printable(entry)}' points outside the bundle.");
                }

                resolved.RemoveAt(resolved.Count - 1);
                continue;
            }

            resolved.Add(part);
            var target = new FileInfo(Path.Combine(destination, Path.Combine([.. resolved]))).LinkTarget;
            if (target is null)
            {
                continue;
            }

            if (++hops > MaxLinkHops || Path.IsPathRooted(target))
            {
                throw new InvalidSourceBundleException($"The link '{Printable(entry)}' points outside the bundle.");
            }

            resolved.RemoveAt(resolved.Count - 1);
            var rest = pending.ToList();
            pending.Clear();
            foreach (var next in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Concat(rest))
            {
                pending.Enqueue(next);
            }
        }

        return string.Join('/', resolved);
    }

    private static async Task CopyLimitedAsync(Stream data, Stream output, long length, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long copied = 0;
        int read;
        while (copied < length && (read = await data.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - copied)), cancellationToken)) > 0)
        {
            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            copied += read;
        }

        if (copied < length)
        {
            throw new InvalidSourceBundleException("The archive is truncated.");
        }
    }

    /// <summary>0644, or 0755 when the archive marks the file executable by its owner; never setuid, setgid or sticky.</summary>
    private static UnixFileMode ModeOf(TarEntry entry)
    {
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        return entry.Mode.HasFlag(UnixFileMode.UserExecute)
            ? mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute
            : mode;
    }

    private static string Printable(string name)
    {
        var clean = new string([.. name.Take(200).Select(c => char.IsControl(c) ? '?' : c)]);
        return name.Length > 200 ? clean + "…" : clean;
    }
}
