using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Poddle.Agent.Static;

/// <summary>
/// Answers every request of `poddle static` from a <see cref="StaticSiteIndex"/>: /health.json, the file at the path,
/// the single-page app's index.html for HTML requests of paths that are not files, or 404. It is the only handler in
/// the pipeline (no routing, no endpoint matching): everything a response needs was computed when the site was indexed.
/// </summary>
internal sealed class StaticSiteHandler
{
    internal const string HealthPath = "/health.json";

    private static readonly byte[] s_healthBody = """{"status":"healthy"}"""u8.ToArray();
    private static readonly byte[] s_notFoundBody = "404 Not Found\n"u8.ToArray();
    private static readonly StringValues s_json = "application/json";
    private static readonly StringValues s_text = "text/plain; charset=utf-8";
    private static readonly StringValues s_noStore = "no-store";
    private static readonly StringValues s_acceptEncoding = "Accept-Encoding";
    private static readonly StringValues s_gzip = "gzip";
    private static readonly StringValues s_brotli = "br";
    private static readonly StringValues s_bytes = "bytes";
    private static readonly StringValues s_allow = "GET, HEAD, OPTIONS";
    private static readonly StringValues s_nosniff = "nosniff";
    private static readonly StringValues s_sameOrigin = "SAMEORIGIN";
    private static readonly StringValues s_frameAncestors = "frame-ancestors 'self'";
    private static readonly StringValues s_referrerPolicy = "strict-origin-when-cross-origin";
    private static readonly StringValues s_permissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";
    private static readonly FileExtensionContentTypeProvider s_contentTypes = new();

    private readonly bool _spa;
    private volatile StaticSiteIndex _index;

    public StaticSiteHandler(StaticSiteIndex index, bool spa)
    {
        _index = index;
        _spa = spa;
    }

    public StaticSiteIndex Index
    {
        get => _index;
        set => _index = value;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var headers = response.Headers;
        headers.XContentTypeOptions = s_nosniff;
        headers.XFrameOptions = s_sameOrigin;
        headers.ContentSecurityPolicy = s_frameAncestors;
        headers["Referrer-Policy"] = s_referrerPolicy;
        headers["Permissions-Policy"] = s_permissionsPolicy;

        var method = request.Method;
        var head = HttpMethods.IsHead(method);
        if (!head && !HttpMethods.IsGet(method))
        {
            headers.Allow = s_allow;
            response.StatusCode = HttpMethods.IsOptions(method) ? StatusCodes.Status204NoContent : StatusCodes.Status405MethodNotAllowed;
            return Task.CompletedTask;
        }

        var path = request.Path.Value;
        if (string.IsNullOrEmpty(path))
        {
            path = "/";
        }

        if (path == HealthPath)
        {
            headers.ContentType = s_json;
            headers.CacheControl = s_noStore;
            return Send(response, s_healthBody, head);
        }

        var index = _index;
        if (!index.TryGet(path, out var file))
        {
            if (!_spa || index.IndexHtml is not { } html || !WantsHtml(request, path))
            {
                response.StatusCode = StatusCodes.Status404NotFound;
                headers.ContentType = s_text;
                return Send(response, s_notFoundBody, head);
            }

            file = html;
        }

        return ServeFile(context, file, head);
    }

    /// <summary>
    /// Whether a path that is no file should get the app's index.html: a browser navigation (Accept names text/html),
    /// or a client accepting anything for a path without a known file extension ("/settings/profile"). A missing
    /// asset ("/assets/app.js", "/logo.png") is a 404 whatever the client accepts: answering it with HTML would make
    /// the browser report a syntax error instead of the missing file.
    /// </summary>
    internal static bool WantsHtml(HttpRequest request, string path)
    {
        var name = path.AsSpan(path.LastIndexOf('/') + 1);
        if (name.Contains('.') && s_contentTypes.TryGetContentType(path, out var type) && !type.StartsWith("text/html", StringComparison.Ordinal))
        {
            return false;
        }

        var accept = request.Headers.Accept;
        if (accept.Count == 0)
        {
            return true;
        }

        foreach (var value in accept)
        {
            if (value is null)
            {
                continue;
            }

            if (value.Contains("text/html", StringComparison.OrdinalIgnoreCase) || value.Contains("application/xhtml+xml", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (value.Contains("*/*", StringComparison.Ordinal) && !name.Contains('.'))
            {
                return true;
            }
        }

        return false;
    }

    private static Task ServeFile(HttpContext context, StaticFile file, bool head)
    {
        var request = context.Request;
        var response = context.Response;
        var headers = response.Headers;
        var payload = file.Payload;
        headers.ContentType = file.ContentTypeValue;
        headers.CacheControl = file.CacheControlValue;
        headers.LastModified = payload.LastModifiedValue;

        var encoding = file.Compressible
            ? AcceptEncodingNegotiator.Choose(request.Headers.AcceptEncoding.Count == 1 ? request.Headers.AcceptEncoding[0] : request.Headers.AcceptEncoding.ToString(), payload.Gzip is not null, payload.Brotli is not null)
            : ContentEncoding.Identity;
        if (file.Compressible)
        {
            headers.Vary = s_acceptEncoding;
        }

        headers.ETag = encoding switch
        {
            ContentEncoding.Brotli => payload.BrotliETagValue,
            ContentEncoding.Gzip => payload.GzipETagValue,
            _ => payload.ETagValue,
        };

        if (NotModified(request, payload))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        switch (encoding)
        {
            case ContentEncoding.Brotli:
                headers.ContentEncoding = s_brotli;
                return Send(response, payload.Brotli!, head);
            case ContentEncoding.Gzip:
                headers.ContentEncoding = s_gzip;
                return Send(response, payload.Gzip!, head);
        }

        headers.AcceptRanges = s_bytes;
        long start = 0, length = payload.Length;
        if (request.Headers.Range.Count > 0 && request.Headers.IfRange.Count == 0)
        {
            switch (ParseRange(request.Headers.Range.ToString(), payload.Length, out start, out length))
            {
                case RangeResult.Satisfiable:
                    response.StatusCode = StatusCodes.Status206PartialContent;
                    headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {start}-{start + length - 1}/{payload.Length}");
                    break;
                case RangeResult.Unsatisfiable:
                    response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                    headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes */{payload.Length}");
                    return Task.CompletedTask;
                default:
                    start = 0;
                    length = payload.Length;
                    break;
            }
        }

        if (payload.Identity is { } bytes)
        {
            response.ContentLength = length;
            return head ? Task.CompletedTask : response.Body.WriteAsync(bytes, (int)start, (int)length, context.RequestAborted);
        }

        response.ContentLength = length;
        return head ? Task.CompletedTask : response.SendFileAsync(payload.PhysicalPath, start, length, context.RequestAborted);
    }

    private static Task Send(HttpResponse response, byte[] body, bool head)
    {
        response.ContentLength = body.Length;
        return head ? Task.CompletedTask : response.Body.WriteAsync(body, 0, body.Length);
    }

    /// <summary>RFC 9110 §13.1.2 and §13.1.3: If-None-Match (weak comparison, any of the file's tags) wins over If-Modified-Since.</summary>
    private static bool NotModified(HttpRequest request, StaticPayload payload)
    {
        var ifNoneMatch = request.Headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0)
        {
            foreach (var value in ifNoneMatch)
            {
                if (value is null)
                {
                    continue;
                }

                foreach (var range in value.AsSpan().Split(','))
                {
                    var tag = value.AsSpan(range).Trim();
                    if (tag.SequenceEqual("*"))
                    {
                        return true;
                    }

                    if (tag.StartsWith("W/", StringComparison.Ordinal))
                    {
                        tag = tag[2..];
                    }

                    if (tag.SequenceEqual(payload.ETag) || tag.SequenceEqual(payload.GzipETagValue[0]) || tag.SequenceEqual(payload.BrotliETagValue[0]))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        var ifModifiedSince = request.Headers.IfModifiedSince;
        return ifModifiedSince.Count == 1
            && HeaderUtilities.TryParseDate(ifModifiedSince[0], out var since)
            && payload.LastModified <= since;
    }

    private enum RangeResult
    {
        Ignored,
        Satisfiable,
        Unsatisfiable,
    }

    /// <summary>One byte range ("bytes=0-99", "bytes=100-", "bytes=-100"); several ranges are answered with the whole file.</summary>
    private static RangeResult ParseRange(string header, long size, out long start, out long length)
    {
        start = 0;
        length = size;
        var spec = header.AsSpan().Trim();
        if (!spec.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || spec.Contains(','))
        {
            return RangeResult.Ignored;
        }

        spec = spec[6..].Trim();
        var dash = spec.IndexOf('-');
        if (dash < 0)
        {
            return RangeResult.Ignored;
        }

        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        if (first.IsEmpty)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix))
            {
                return RangeResult.Ignored;
            }

            if (suffix == 0 || size == 0)
            {
                return RangeResult.Unsatisfiable;
            }

            length = Math.Min(suffix, size);
            start = size - length;
            return RangeResult.Satisfiable;
        }

        if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out start))
        {
            return RangeResult.Ignored;
        }

        var end = size - 1;
        if (!last.IsEmpty && !long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out end))
        {
            return RangeResult.Ignored;
        }

        if (start >= size)
        {
            return RangeResult.Unsatisfiable;
        }

        if (end < start)
        {
            return RangeResult.Ignored;
        }

        end = Math.Min(end, size - 1);
        length = end - start + 1;
        return RangeResult.Satisfiable;
    }
}
