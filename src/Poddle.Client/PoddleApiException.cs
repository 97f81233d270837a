namespace Poddle.Client;

/// <summary>
/// The server answered with an error: the RFC 9457 problem it sent (status, stable <see cref="Code"/>, detail,
/// the offending fields for validation errors, and the request id to quote when reporting it).
/// </summary>
public sealed class PoddleApiException : Exception
{
    public PoddleApiException(
        int status,
        string code,
        string? title,
        string? detail,
        IReadOnlyDictionary<string, string[]>? fieldErrors = null,
        string? requestId = null,
        TimeSpan? retryAfter = null)
        : base(detail ?? title ?? $"The server answered {status} ({code}).")
    {
        Status = status;
        Code = code;
        Title = title;
        Detail = detail;
        FieldErrors = fieldErrors ?? new Dictionary<string, string[]>(StringComparer.Ordinal);
        RequestId = requestId;
        RetryAfter = retryAfter;
    }

    public PoddleApiException()
        : this(0, "unknown", null, null)
    {
    }

    public PoddleApiException(string message)
        : this(0, "unknown", null, message)
    {
    }

    public PoddleApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = "unknown";
        FieldErrors = new Dictionary<string, string[]>(StringComparer.Ordinal);
    }

    /// <summary>The HTTP status code.</summary>
    public int Status { get; }

    /// <summary>The problem's stable code ("validation", "not-found", "invalid-token", ...); "http-{status}" when the body was not a problem.</summary>
    public string Code { get; }

    public string? Title { get; }

    public string? Detail { get; }

    /// <summary>Field name → messages, for validation problems; empty otherwise.</summary>
    public IReadOnlyDictionary<string, string[]> FieldErrors { get; }

    /// <summary>The server's X-Request-ID for this call, to quote when reporting a problem.</summary>
    public string? RequestId { get; }

    /// <summary>How long to wait before retrying, when the server said (429).</summary>
    public TimeSpan? RetryAfter { get; }
}
