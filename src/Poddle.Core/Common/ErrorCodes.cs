namespace Poddle.Core.Common;

/// <summary>
/// Error codes that belong to no one feature. Every code is a stable, kebab-case wire value: it becomes the
/// ProblemDetails <c>code</c> and <c>type</c> (<c>urn:poddle:problem:{code}</c>) that clients branch on, so a value
/// never changes once released. Each feature keeps its own codes in its <c>XxxErrorCodes</c> class.
/// </summary>
public static class ErrorCodes
{
    /// <summary>Field rules failed; <c>errors</c> names the fields.</summary>
    public const string Validation = "validation";

    /// <summary>Unknown id, or another user's resource.</summary>
    public const string NotFound = "not-found";

    /// <summary>The caller's role does not allow this.</summary>
    public const string Forbidden = "forbidden";

    /// <summary>A concurrent change was saved first; retry.</summary>
    public const string Conflict = "conflict";

    /// <summary>A field or upload is over its own size limit, named in <c>errors</c>.</summary>
    public const string TooLarge = "too-large";

    /// <summary>A queue (executions, grading) is full; comes with Retry-After.</summary>
    public const string QueueFull = "queue-full";
}
