using Microsoft.Extensions.Primitives;

namespace Poddle.Agent.Static;

/// <summary>
/// The bytes of one file as they are served: the file itself and, for compressible text over 1 KB, its gzip and Brotli
/// copies, compressed once when the site is indexed (compressing per request would cost more CPU than serving).
/// Files too large to keep in memory have no bytes here and are sent from disk.
/// </summary>
public sealed class StaticPayload
{
    internal StaticPayload(string physicalPath, long length, DateTimeOffset lastModified, byte[]? identity, byte[]? gzip, byte[]? brotli, string etag, long writeTimeTicks = 0)
    {
        PhysicalPath = physicalPath;
        WriteTimeTicks = writeTimeTicks;
        Length = length;
        LastModified = lastModified;
        Identity = identity;
        Gzip = gzip;
        Brotli = brotli;
        ETag = etag;
        ETagValue = new StringValues(etag);
        GzipETagValue = new StringValues(etag[..^1] + "-gz\"");
        BrotliETagValue = new StringValues(etag[..^1] + "-br\"");
        LastModifiedValue = new StringValues(lastModified.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The file's real path (symbolic links resolved), always inside the site's directory.</summary>
    public string PhysicalPath { get; }

    public long Length { get; }

    /// <summary>The file's modification time, to the second (HTTP dates have no fractions).</summary>
    public DateTimeOffset LastModified { get; }

    /// <summary>The file's modification time in full precision: a file rewritten within the same second is re-read.</summary>
    internal long WriteTimeTicks { get; }

    /// <summary>The file's bytes; null when the file is sent from disk.</summary>
    public byte[]? Identity { get; }

    public byte[]? Gzip { get; }

    public byte[]? Brotli { get; }

    /// <summary>The strong entity tag of the identity bytes (quoted); the encoded copies carry it with -gz / -br appended.</summary>
    public string ETag { get; }

    internal StringValues ETagValue { get; }

    internal StringValues GzipETagValue { get; }

    internal StringValues BrotliETagValue { get; }

    internal StringValues LastModifiedValue { get; }

    /// <summary>Whether the bytes are in memory.</summary>
    public bool InMemory => Identity is not null;

    /// <summary>Bytes held in memory for this file, its copies included.</summary>
    public long MemoryBytes => (Identity?.LongLength ?? 0) + (Gzip?.LongLength ?? 0) + (Brotli?.LongLength ?? 0);
}

/// <summary>One URL of the site: the file it serves and the headers that depend on its name.</summary>
public sealed class StaticFile
{
    internal StaticFile(string urlPath, StaticPayload payload, string contentType, string cacheControl, bool compressible)
    {
        UrlPath = urlPath;
        Payload = payload;
        ContentType = contentType;
        CacheControl = cacheControl;
        Compressible = compressible;
        ContentTypeValue = new StringValues(contentType);
        CacheControlValue = new StringValues(cacheControl);
    }

    /// <summary>The path it is served at ("/assets/app.3f2a9c1b.js").</summary>
    public string UrlPath { get; }

    public StaticPayload Payload { get; }

    public string ContentType { get; }

    /// <summary>immutable for a year (hashed names), no-cache (HTML), a short max-age otherwise.</summary>
    public string CacheControl { get; }

    /// <summary>A text type that is sent compressed when it is over 1 KB; its responses vary by Accept-Encoding.</summary>
    public bool Compressible { get; }

    internal StringValues ContentTypeValue { get; }

    internal StringValues CacheControlValue { get; }
}
