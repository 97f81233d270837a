namespace Poddle.Server.Errors;

/// <summary>
/// The stable codes of problems the HTTP layer produces itself (request reading, authentication, status-code pages,
/// rate limits). Codes of expected outcomes live with their feature in Core (<c>AccountErrorCodes</c>...) and the
/// codes every feature shares in <see cref="Poddle.Core.Common.ErrorCodes"/>.
/// </summary>
public static class HttpErrorCodes
{
    public const string BadRequest = "bad-request";
    public const string MalformedJson = "malformed-json";
    public const string MissingBody = "missing-body";

    /// <summary>No credentials were sent.</summary>
    public const string Unauthenticated = "unauthenticated";

    /// <summary>Wrong, expired or revoked token, ended session, disabled user, or an agent token of a replaced pod.</summary>
    public const string InvalidToken = "invalid-token";

    public const string MethodNotAllowed = "method-not-allowed";
    public const string NotAcceptable = "not-acceptable";
    public const string RequestTimeout = "request-timeout";
    public const string PayloadTooLarge = "payload-too-large";
    public const string UnsupportedMediaType = "unsupported-media-type";
    public const string TooManyRequests = "too-many-requests";
    public const string Internal = "internal";
    public const string Unavailable = "unavailable";
}
