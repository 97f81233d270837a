using System.Collections.Frozen;
using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.AspNetCore.StaticFiles;

namespace Poddle.Agent.Static;

/// <summary>What an index of a site holds in memory, at most.</summary>
/// <param name="MaxFileBytes">A file larger than this is sent from disk, uncompressed.</param>
/// <param name="MaxTotalBytes">Once this much is held, further files are sent from disk.</param>
/// <param name="CompressMinBytes">Text smaller than this is sent as it is (compression would not pay for its header bytes).</param>
public sealed record StaticIndexLimits(long MaxFileBytes = 16 * 1024 * 1024, long MaxTotalBytes = 512L * 1024 * 1024, int CompressMinBytes = 1024);

/// <summary>
/// Every servable file of a site directory, by URL path, read when the site is indexed (at start, and again when the
/// directory changes). Requests are answered from this table alone: a path that is not in it is never opened, so
/// "../", encoded dots and symbolic links that lead out of the directory cannot reach a file outside it — links are
/// resolved here, and a file whose real path is outside the directory is left out. Names starting with '.' are left
/// out too (.git, .env), except .well-known.
/// </summary>
public sealed class StaticSiteIndex
{
    private readonly FrozenDictionary<string, StaticFile> _files;

    private StaticSiteIndex(string root, FrozenDictionary<string, StaticFile> files, IReadOnlyList<string> refused, TimeSpan buildTime)
    {
        Root = root;
        _files = files;
        Refused = refused;
        BuildTime = buildTime;
        files.TryGetValue("/index.html", out var index);
        IndexHtml = index;
        MemoryBytes = files.Values.Select(f => f.Payload).Distinct().Sum(p => p.MemoryBytes);
        FileCount = files.Values.Select(f => f.Payload).Distinct().Count();
    }

    /// <summary>The site directory's real path.</summary>
    public string Root { get; }

    /// <summary>/index.html, served for "/" and as the single-page app's fallback; null when the site has none.</summary>
    public StaticFile? IndexHtml { get; }

    /// <summary>Paths (relative to the root) left out because they lead outside it.</summary>
    public IReadOnlyList<string> Refused { get; }

    public int FileCount { get; }

    public long MemoryBytes { get; }

    public TimeSpan BuildTime { get; }

    /// <summary>The file served at <paramref name="urlPath"/> (decoded, starting with '/'); "/dir" and "/dir/" find dir/index.html.</summary>
    public bool TryGet(string urlPath, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StaticFile? file) => _files.TryGetValue(urlPath, out file);

    /// <summary>Every URL path served, aliases of directory indexes included.</summary>
    public IEnumerable<string> Paths => _files.Keys;

    /// <summary>The real path of <paramref name="directory"/>, or an error saying why it cannot be served.</summary>
    public static string ResolveRoot(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException(File.Exists(full) ? $"{full} is a file, not a directory." : $"{full} does not exist.");
        }

        return RealPath(full);
    }

    /// <summary>
    /// Reads the site at <paramref name="root"/> (a real path, see <see cref="ResolveRoot"/>). Files unchanged since
    /// <paramref name="previous"/> (same real path, size and time) keep their bytes and compressed copies.
    /// </summary>
    public static StaticSiteIndex Build(string root, StaticIndexLimits limits, int maxAgeSeconds, StaticSiteIndex? previous = null)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var started = Stopwatch.GetTimestamp();
        var found = new List<(string UrlPath, string RealPath, FileInfo Info)>();
        var refused = new List<string>();
        var visited = new HashSet<string>(StringComparer.Ordinal) { root };
        Walk(root, root, "/", 0, visited, found, refused);

        var reusable = previous is null
            ? new Dictionary<string, StaticPayload>(StringComparer.Ordinal)
            : previous._files.Values.Select(f => f.Payload).DistinctBy(p => p.PhysicalPath).ToDictionary(p => p.PhysicalPath, StringComparer.Ordinal);
        var contentTypes = new FileExtensionContentTypeProvider();
        var payloads = new Dictionary<string, StaticPayload>(StringComparer.Ordinal);
        var toRead = new List<(string RealPath, FileInfo Info, bool Compressible, bool InMemory)>();
        var queued = new HashSet<string>(StringComparer.Ordinal);
        long budget = limits.MaxTotalBytes;
        foreach (var (urlPath, realPath, info) in found.OrderBy(f => f.Info.Length))
        {
            if (!queued.Add(realPath))
            {
                continue;
            }

            var lastModified = Truncate(info.LastWriteTimeUtc);
            if (reusable.TryGetValue(realPath, out var old) && old.Length == info.Length && old.LastModified == lastModified && old.WriteTimeTicks == info.LastWriteTimeUtc.Ticks)
            {
                payloads[realPath] = old;
                budget -= old.MemoryBytes;
                continue;
            }

            var inMemory = info.Length <= limits.MaxFileBytes && info.Length <= budget;
            if (inMemory)
            {
                budget -= info.Length;
            }

            toRead.Add((realPath, info, IsCompressible(ContentTypeOf(contentTypes, urlPath)) && info.Length >= limits.CompressMinBytes, inMemory));
        }

        // Compression is the slow part of indexing (Brotli at its best quality): the files are read in parallel.
        var read = new StaticPayload?[toRead.Count];
        Parallel.For(0, toRead.Count, i =>
        {
            var (realPath, info, compressible, inMemory) = toRead[i];
            read[i] = Read(realPath, info, compressible && inMemory, inMemory);
        });
        for (var i = 0; i < toRead.Count; i++)
        {
            if (read[i] is { } payload)
            {
                payloads[toRead[i].RealPath] = payload;
            }
        }

        var files = new Dictionary<string, StaticFile>(StringComparer.Ordinal);
        foreach (var (urlPath, realPath, _) in found)
        {
            if (!payloads.TryGetValue(realPath, out var payload))
            {
                continue; // vanished or unreadable while indexing
            }

            var contentType = ContentTypeOf(contentTypes, urlPath);
            var fileName = urlPath[(urlPath.LastIndexOf('/') + 1)..];
            var cacheControl = contentType.StartsWith("text/html", StringComparison.Ordinal)
                ? "no-cache"
                : HashedAssetName.IsHashed(fileName) ? "public, max-age=31536000, immutable" : $"public, max-age={maxAgeSeconds}";
            var file = new StaticFile(urlPath, payload, contentType, cacheControl, payload.Gzip is not null || payload.Brotli is not null);
            files[urlPath] = file;
            if (fileName == "index.html")
            {
                var directory = urlPath[..^"index.html".Length];
                files.TryAdd(directory, file);
                if (directory.Length > 1)
                {
                    files.TryAdd(directory.TrimEnd('/'), file);
                }
            }
        }

        return new StaticSiteIndex(root, files.ToFrozenDictionary(StringComparer.Ordinal), refused, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// The path with every symbolic link resolved, like realpath(3): what the kernel opens. Throws an IOException on a
    /// link loop.
    /// </summary>
    public static string RealPath(string path)
    {
        var pending = new Stack<string>();
        PushComponents(pending, Path.GetFullPath(path));
        var resolved = "/";
        var hops = 0;
        while (pending.Count > 0)
        {
            var component = pending.Pop();
            if (component.Length == 0 || component == ".")
            {
                continue;
            }

            if (component == "..")
            {
                resolved = Path.GetDirectoryName(resolved) ?? "/";
                continue;
            }

            var candidate = resolved == "/" ? "/" + component : resolved + "/" + component;
            var target = new FileInfo(candidate).LinkTarget;
            if (target is null)
            {
                resolved = candidate;
                continue;
            }

            if (++hops > 40)
            {
                throw new IOException($"Too many levels of symbolic links at {candidate}.");
            }

            if (target.StartsWith('/'))
            {
                resolved = "/";
            }

            PushComponents(pending, target);
        }

        return resolved;
    }

    private static void PushComponents(Stack<string> pending, string path)
    {
        var parts = path.Split('/');
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            pending.Push(parts[i]);
        }
    }

    private static bool IsInside(string root, string realPath) =>
        root == "/" || realPath == root || (realPath.StartsWith(root, StringComparison.Ordinal) && realPath.Length > root.Length && realPath[root.Length] == '/');

    private static void Walk(string root, string directory, string urlPrefix, int depth, HashSet<string> visited, List<(string, string, FileInfo)> found, List<string> refused)
    {
        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = new DirectoryInfo(directory).EnumerateFileSystemInfos().ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var entry in entries)
        {
            if (entry.Name.StartsWith('.') && entry.Name != ".well-known")
            {
                continue;
            }

            string realPath;
            try
            {
                realPath = RealPath(entry.FullName);
            }
            catch (IOException)
            {
                refused.Add(Path.GetRelativePath(root, entry.FullName));
                continue;
            }

            if (!IsInside(root, realPath))
            {
                refused.Add(Path.GetRelativePath(root, entry.FullName));
                continue;
            }

            if (Directory.Exists(realPath))
            {
                // A link to a directory inside the site is followed once; loops end at the visited set and the depth.
                if (depth < 32 && visited.Add(realPath))
                {
                    Walk(root, entry.FullName, urlPrefix + entry.Name + "/", depth + 1, visited, found, refused);
                }

                continue;
            }

            var info = new FileInfo(realPath);
            if (info.Exists)
            {
                found.Add((urlPrefix + entry.Name, realPath, info));
            }
        }
    }

    private static StaticPayload? Read(string realPath, FileInfo info, bool compress, bool inMemory)
    {
        var lastModified = Truncate(info.LastWriteTimeUtc);
        if (!inMemory)
        {
            // nginx's entity tag for files it does not read: time and size, in hex.
            return new StaticPayload(realPath, info.Length, lastModified, null, null, null,
                $"\"{lastModified.ToUnixTimeSeconds():x}-{info.Length:x}\"", info.LastWriteTimeUtc.Ticks);
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(realPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8)) + "\"";
        byte[]? gzip = null, brotli = null;
        if (compress)
        {
            // Copies made by the site's build (app.js.gz, app.js.br) are used as they are.
            gzip = Smaller(ReadSibling(realPath + ".gz", info) ?? GzipCompress(bytes), bytes.Length);
            brotli = Smaller(ReadSibling(realPath + ".br", info) ?? BrotliCompress(bytes), bytes.Length);
        }

        return new StaticPayload(realPath, bytes.LongLength, lastModified, bytes, gzip, brotli, etag, info.LastWriteTimeUtc.Ticks);
    }

    private static byte[]? ReadSibling(string path, FileInfo original)
    {
        try
        {
            var sibling = new FileInfo(path);
            return sibling.Exists && sibling.LastWriteTimeUtc >= original.LastWriteTimeUtc.AddSeconds(-1) ? File.ReadAllBytes(path) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // A copy that saves under 5% is not worth a Vary and a second representation.
    private static byte[]? Smaller(byte[] compressed, int original) => compressed.Length < original * 0.95 ? compressed : null;

    private static byte[] GzipCompress(byte[] bytes)
    {
        using var output = new MemoryStream(bytes.Length / 3 + 64);
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    private static byte[] BrotliCompress(byte[] bytes)
    {
        var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(bytes.Length)];

        // Quality 11 (the best) is affordable once per file; above 1 MB quality 9 keeps indexing quick at a few percent.
        var quality = bytes.Length <= 1024 * 1024 ? 11 : 9;
        return BrotliEncoder.TryCompress(bytes, buffer, out var written, quality, 22) ? buffer[..written] : bytes;
    }

    private static DateTimeOffset Truncate(DateTime utc) => DateTimeOffset.FromUnixTimeSeconds(new DateTimeOffset(utc, TimeSpan.Zero).ToUnixTimeSeconds());

    private static string ContentTypeOf(FileExtensionContentTypeProvider provider, string urlPath)
    {
        if (!provider.TryGetContentType(urlPath, out var type))
        {
            return "application/octet-stream";
        }

        // Text is UTF-8 in every bundler's output; saying so spares browsers sniffing it.
        return type.StartsWith("text/", StringComparison.Ordinal) || type is "application/javascript" or "application/json" or "image/svg+xml" or "application/manifest+json"
            ? type + "; charset=utf-8"
            : type;
    }

    private static bool IsCompressible(string contentType) =>
        contentType.StartsWith("text/", StringComparison.Ordinal)
        || contentType.Contains("javascript", StringComparison.Ordinal)
        || contentType.Contains("json", StringComparison.Ordinal)
        || contentType.Contains("xml", StringComparison.Ordinal)
        || contentType.StartsWith("application/wasm", StringComparison.Ordinal)
        || contentType.StartsWith("font/ttf", StringComparison.Ordinal)
        || contentType.StartsWith("font/otf", StringComparison.Ordinal)
        || contentType.StartsWith("image/x-icon", StringComparison.Ordinal)
        || contentType.StartsWith("image/vnd.microsoft.icon", StringComparison.Ordinal);
}
