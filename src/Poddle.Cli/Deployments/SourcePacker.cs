using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace Poddle.Cli.Deployments;

/// <summary>
/// Packs an app's directory into a tar.gz for the sandbox driver: deterministic (entries in ordinal order of their
/// paths, fixed times, owner 0:0, modes 0755/0644), without <see cref="AlwaysIgnored"/> directories nor what
/// `.poddleignore` lists, and refusing a symbolic link that points outside the directory.
/// </summary>
internal static class SourcePacker
{
    /// <summary>The name of the ignore file in the app's directory.</summary>
    public const string IgnoreFileName = ".poddleignore";

    /// <summary>Directory names never packed, wherever they are.</summary>
    public static readonly IReadOnlyList<string> AlwaysIgnored = [".git", "node_modules", "__pycache__"];

    /// <summary>The time every entry carries, so that the same files give the same bytes.</summary>
    public static readonly DateTimeOffset EntryTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>What was packed.</summary>
    public sealed record PackResult(int Files, long Bytes);

    /// <summary>Writes the tar.gz of <paramref name="directory"/> to <paramref name="output"/>.</summary>
    public static PackResult Pack(string directory, Stream output)
    {
        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
        {
            throw new CliException($"There is no directory '{root}'.");
        }

        var ignore = IgnoreRules.Load(Path.Combine(root, IgnoreFileName));
        var files = 0;
        long bytes = 0;
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Gnu, leaveOpen: true))
        {
            foreach (var (relative, info) in Walk(root, string.Empty, ignore))
            {
                if (info.LinkTarget is not null)
                {
                    var entry = Entry(TarEntryType.SymbolicLink, relative, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                    entry.LinkName = LinkTargetInside(root, relative, info);
                    tar.WriteEntry(entry);
                }
                else if (info is DirectoryInfo)
                {
                    tar.WriteEntry(Entry(TarEntryType.Directory, relative + "/", Mode(executable: true)));
                }
                else
                {
                    var executable = !OperatingSystem.IsWindows() && (File.GetUnixFileMode(info.FullName) & UnixFileMode.UserExecute) != 0;
                    var entry = Entry(TarEntryType.RegularFile, relative, Mode(executable));
                    using var data = new FileStream(info.FullName, FileMode.Open, FileAccess.Read, FileShare.Read);
                    entry.DataStream = data;
                    tar.WriteEntry(entry);
                    files++;
                    bytes += data.Length;
                }
            }
        }

        return new PackResult(files, bytes);
    }

    private static GnuTarEntry Entry(TarEntryType type, string name, UnixFileMode mode) => new(type, name)
    {
        ModificationTime = EntryTime,
        AccessTime = EntryTime,
        ChangeTime = EntryTime,
        Mode = mode,
        Uid = 0,
        Gid = 0,
        UserName = string.Empty,
        GroupName = string.Empty,
    };

    private static UnixFileMode Mode(bool executable) =>
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead
        | (executable ? UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute : UnixFileMode.None);

    /// <summary>Entries below <paramref name="directory"/>, depth first, each directory's entries in ordinal order.</summary>
    private static IEnumerable<(string Relative, FileSystemInfo Info)> Walk(string directory, string prefix, IgnoreRules ignore)
    {
        var entries = new DirectoryInfo(directory).EnumerateFileSystemInfos()
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        foreach (var entry in entries)
        {
            var relative = prefix + entry.Name;
            var isDirectory = entry is DirectoryInfo && entry.LinkTarget is null;
            if ((isDirectory && AlwaysIgnored.Contains(entry.Name, StringComparer.Ordinal)) || ignore.IsIgnored(relative, isDirectory))
            {
                continue;
            }

            if (entry.LinkTarget is null && entry is FileInfo file && (file.Attributes & (FileAttributes.Device | FileAttributes.ReparsePoint)) != 0)
            {
                continue;
            }

            yield return (relative, entry);
            if (isDirectory)
            {
                foreach (var child in Walk(entry.FullName, relative + "/", ignore))
                {
                    yield return child;
                }
            }
        }
    }

    /// <summary>The link's target relative to the link, when it resolves inside <paramref name="root"/>; a refusal otherwise.</summary>
    private static string LinkTargetInside(string root, string relative, FileSystemInfo link)
    {
        var target = link.LinkTarget!;
        var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(link.FullName)!, target));
        var inside = resolved == root || resolved.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal);
        if (!inside)
        {
            throw new CliException(
                $"'{relative}' is a symbolic link to '{target}', outside {root}; it would not exist on the server. Copy what it points to into the directory, or list '{relative}' in {IgnoreFileName}.");
        }

        return Path.GetRelativePath(Path.GetDirectoryName(link.FullName)!, resolved);
    }

    /// <summary>
    /// `.poddleignore` patterns, one a line; '#' starts a comment. `*` matches within a path segment, `**` across
    /// segments, `?` one character. A pattern with a '/' in it (other than a trailing one) is anchored at the app's
    /// directory; without, it matches an entry's name at any depth. A trailing '/' matches directories only.
    /// Everything below an ignored directory is ignored.
    /// </summary>
    internal sealed class IgnoreRules
    {
        private readonly List<(Regex Pattern, bool DirectoryOnly)> _rules;

        public IgnoreRules(IEnumerable<string> lines)
        {
            _rules = [];
            foreach (var raw in lines)
            {
                var line = raw.Trim();
                if (line.Length == 0 || line[0] == '#')
                {
                    continue;
                }

                var directoryOnly = line.EndsWith('/');
                line = line.TrimEnd('/');
                var anchored = line.Contains('/', StringComparison.Ordinal);
                line = line.TrimStart('/');
                if (line.Length == 0)
                {
                    continue;
                }

                var regex = (anchored ? "^" : "^(?:.*/)?") + GlobToRegex(line) + "$";
                _rules.Add((new Regex(regex, RegexOptions.CultureInvariant), directoryOnly));
            }
        }

        public static IgnoreRules Load(string path) =>
            new(File.Exists(path) ? File.ReadAllLines(path) : []);

        /// <summary>Whether <paramref name="relative"/> ('/'-separated, from the app's directory) is ignored.</summary>
        public bool IsIgnored(string relative, bool isDirectory) =>
            _rules.Exists(rule => (isDirectory || !rule.DirectoryOnly) && rule.Pattern.IsMatch(relative));

        private static string GlobToRegex(string glob)
        {
            var regex = new StringBuilder();
            for (var i = 0; i < glob.Length; i++)
            {
                var c = glob[i];
                if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
                {
                    // "**/" matches zero or more directories; a trailing "**" everything below.
                    i++;
                    if (i + 1 < glob.Length && glob[i + 1] == '/')
                    {
                        i++;
                        regex.Append("(?:.*/)?");
                    }
                    else
                    {
                        regex.Append(".*");
                    }
                }
                else
                {
                    regex.Append(c switch
                    {
                        '*' => "[^/]*",
                        '?' => "[^/]",
                        _ => Regex.Escape(c.ToString()),
                    });
                }
            }

            return regex.ToString();
        }
    }
}
