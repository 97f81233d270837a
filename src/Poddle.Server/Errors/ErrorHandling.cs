using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Poddle.Server.Errors;

/// <summary>
/// Turns what escapes an endpoint into problems: bad requests (malformed JSON, wrong types, missing body,
/// oversized body) become 400/413 naming the field; anything else is a bug and becomes a 500 that reveals nothing.
/// </summary>
internal sealed partial class ErrorHandling(ILogger<ErrorHandling> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is BadHttpRequestException bad)
        {
            await Problems.WriteAsync(httpContext, FromBadRequest(bad));
            return true;
        }

        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
            return true;
        }

        LogUnhandled(exception, httpContext.Request.Method, httpContext.Request.Path);
        await Problems.WriteAsync(httpContext, Problems.Create(
            StatusCodes.Status500InternalServerError,
            HttpErrorCodes.Internal,
            "Internal server error",
            "Something went wrong on the server. Quote the requestId when you report it."));
        return true;
    }

    internal static Microsoft.AspNetCore.Mvc.ProblemDetails FromBadRequest(BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problems.Create(413, HttpErrorCodes.PayloadTooLarge, "Payload too large", "The request body is larger than the server accepts.");
        }

        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return Problems.Create(415, HttpErrorCodes.UnsupportedMediaType, "Unsupported media type", "Send the body as application/json.");
        }

        var json = bad.InnerException as JsonException ?? bad.InnerException?.InnerException as JsonException;
        if (json is not null)
        {
            var field = FieldOf(json.Path);
            var message = field == "body"
                ? "The body is not valid JSON."
                : $"The value of '{field}' is malformed or of the wrong type.";
            return Problems.Create(400, HttpErrorCodes.MalformedJson, "Bad request", message, new Dictionary<string, string[]> { [field] = [message] });
        }

        // "Required parameter ... was not provided from body" (explicit [FromBody]) and "Implicit body inferred for
        // parameter ... but no body was provided" (the usual minimal-API case, also for a literal JSON null).
        if (bad.Message.Contains("body was not provided", StringComparison.OrdinalIgnoreCase)
            || bad.Message.Contains("no body was provided", StringComparison.OrdinalIgnoreCase)
            || bad.Message.Contains("Required parameter", StringComparison.OrdinalIgnoreCase))
        {
            const string message = "A JSON body is required.";
            return Problems.Create(400, HttpErrorCodes.MissingBody, "Bad request", message, new Dictionary<string, string[]> { ["body"] = [message] });
        }

        return Problems.Create(bad.StatusCode, HttpErrorCodes.BadRequest, Problems.TitleOf(bad.StatusCode), "The request could not be read.");
    }

    /// <summary>"$.resources.memoryMb" → "resources.memoryMb"; "$" or nothing → "body".</summary>
    internal static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "body";
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}")]
    private partial void LogUnhandled(Exception exception, string method, string path);
}
