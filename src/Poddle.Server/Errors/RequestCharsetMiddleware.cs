using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Poddle.Server.Errors;

/// <summary>
/// Refuses a JSON body whose Content-Type names a charset this server cannot decode (<c>application/json; charset=bogus</c>)
/// with a 415 problem, before any endpoint reads it. ASP.NET Core's JSON reading decodes the charset the request
/// names (UTF-8 as is, UTF-16, Latin-1 ... transcoded) and throws InvalidOperationException for one it does not know,
/// which would otherwise surface as a 500; endpoints that read their body themselves (the Piston API) are covered
/// the same way. Runs after authentication and authorization, so a caller who may not call an endpoint still hears
/// 401/403 first.
/// </summary>
internal sealed class RequestCharsetMiddleware(RequestDelegate next)
{
    public const string Message = "The request's charset is not one this server can read; send JSON as UTF-8 (Content-Type: application/json; charset=utf-8).";

    public Task InvokeAsync(HttpContext context)
    {
        if (HasUnreadableJsonCharset(context.Request.ContentType))
        {
            return Problems.WriteAsync(context, Problems.Create(
                StatusCodes.Status415UnsupportedMediaType,
                HttpErrorCodes.UnsupportedMediaType,
                Problems.TitleOf(StatusCodes.Status415UnsupportedMediaType),
                Message,
                new Dictionary<string, string[]> { ["body"] = [Message] }));
        }

        return next(context);
    }

    /// <summary>True when the content type is JSON (<c>application/json</c> or <c>*/*+json</c>) and names a charset .NET does not know.</summary>
    internal static bool HasUnreadableJsonCharset(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
        {
            return false;
        }

        var type = mediaType.MediaType;
        var isJson = type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
        var charset = mediaType.Charset;
        if (!isJson || !charset.HasValue || charset.Length == 0)
        {
            return false;
        }

        try
        {
            // The same lookup ASP.NET Core's JSON reading makes (quotes removed), so what passes here it can read.
            _ = Encoding.GetEncoding(HeaderUtilities.RemoveQuotes(charset).ToString());
            return false;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
