namespace Poddle.Core.Common;

/// <summary>What kind of expected failure an <see cref="Error"/> is; the server maps each kind to one HTTP status.</summary>
public enum ErrorKind
{
    Validation,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    RateLimited,

    /// <summary>The request (or one of its fields) is larger than allowed (413).</summary>
    TooLarge,

    /// <summary>The service cannot take the request now, e.g. a full queue (503 with Retry-After).</summary>
    Unavailable,

    /// <summary>The balance does not cover what the request would cost (402); <see cref="Error.Details"/> says how much.</summary>
    PaymentRequired,
}

/// <summary>
/// An expected outcome that is not success: a stable machine-readable <paramref name="Code"/> (it becomes the
/// ProblemDetails <c>type</c>), a message for people, and, for validation, the offending fields: keyed by
/// <see cref="FieldPath.Value"/>, Core's own names, which the server maps to its API's field names.
/// Bugs are exceptions, never <see cref="Error"/>s.
/// </summary>
public sealed record Error(
    ErrorKind Kind,
    string Code,
    string Message,
    IReadOnlyDictionary<string, string[]>? Fields = null,
    TimeSpan? RetryAfter = null,
    IReadOnlyDictionary<string, object>? Details = null)
{
    public static Error Validation(FieldPath field, string message) =>
        new(ErrorKind.Validation, ErrorCodes.Validation, message, One(field, message));

    public static Error Validation(IReadOnlyDictionary<string, string[]> fields) =>
        new(ErrorKind.Validation, ErrorCodes.Validation, "One or more fields are invalid.", fields);

    public static Error NotFound(string what) => new(ErrorKind.NotFound, ErrorCodes.NotFound, $"{what} was not found.");

    public static Error Conflict(string code, string message, FieldPath? field = null) =>
        new(ErrorKind.Conflict, code, message, field is { } named ? One(named, message) : null);

    public static Error TooLarge(FieldPath field, string message) =>
        new(ErrorKind.TooLarge, ErrorCodes.TooLarge, message, One(field, message));

    /// <summary>The fields of an error about one field, whose message is the error's.</summary>
    public static IReadOnlyDictionary<string, string[]> One(FieldPath field, string message) =>
        new Dictionary<string, string[]>(StringComparer.Ordinal) { [field.Value] = [message] };

    public static Error Unauthorized(string code, string message) => new(ErrorKind.Unauthorized, code, message);
}
