using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Poddle.Server.Errors;

/// <summary>
/// The failure branch of every typed endpoint result (<c>Results&lt;Ok&lt;T&gt;, ProblemResult&gt;</c>): a problem
/// written by <see cref="ProblemHttpResult"/>, plus the Retry-After header when the error carries one (which
/// <see cref="ProblemHttpResult"/> cannot add). Problems declare their statuses on the endpoint
/// (<c>ProducesProblem</c>), since one result type stands for every error status.
/// </summary>
public sealed class ProblemResult : IResult, IStatusCodeHttpResult, IContentTypeHttpResult, IValueHttpResult, IValueHttpResult<ProblemDetails>
{
    private readonly ProblemHttpResult _inner;
    private readonly TimeSpan? _retryAfter;

    internal ProblemResult(ProblemDetails problem, TimeSpan? retryAfter = null)
    {
        _inner = TypedResults.Problem(problem);
        _retryAfter = retryAfter;
    }

    public ProblemDetails ProblemDetails => _inner.ProblemDetails;

    public int? StatusCode => _inner.StatusCode;

    public string? ContentType => _inner.ContentType;

    object? IValueHttpResult.Value => _inner.ProblemDetails;

    ProblemDetails? IValueHttpResult<ProblemDetails>.Value => _inner.ProblemDetails;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (_retryAfter is { } retry)
        {
            httpContext.Response.Headers.RetryAfter = Math.Ceiling(retry.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        return _inner.ExecuteAsync(httpContext);
    }
}
