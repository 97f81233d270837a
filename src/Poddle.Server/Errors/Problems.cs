using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Poddle.Core.Common;

namespace Poddle.Server.Errors;

/// <summary>
/// The one place where expected outcomes become HTTP: every error is an RFC 9457 problem whose <c>type</c> is
/// the stable URN <c>urn:poddle:problem:{code}</c>, with the same code in <c>code</c> and, for validation,
/// the offending fields in <c>errors</c>.
/// </summary>
public static class Problems
{
    public const string TypePrefix = "urn:poddle:problem:";

    public static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.Validation => StatusCodes.Status400BadRequest,
        ErrorKind.Unauthorized => StatusCodes.Status401Unauthorized,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.RateLimited => StatusCodes.Status429TooManyRequests,
        ErrorKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorKind.PaymentRequired => StatusCodes.Status402PaymentRequired,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static ProblemDetails Create(int status, string code, string title, string? detail = null, IReadOnlyDictionary<string, string[]>? fields = null)
    {
        var problem = fields is null ? new ProblemDetails() : new HttpValidationProblemDetails(fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal));
        problem.Status = status;
        problem.Type = TypePrefix + code;
        problem.Title = title;
        problem.Detail = detail;
        problem.Extensions["code"] = code;
        return problem;
    }

    /// <summary>
    /// Turns an expected error into a problem response (adding Retry-After when the error carries one), its fields
    /// renamed from Core's paths to the API's names by <paramref name="names"/> (<see cref="FieldNames.Api"/> by default).
    /// </summary>
    public static ProblemResult ToResult(Error error, FieldNames? names = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        var status = StatusOf(error.Kind);
        var problem = Create(status, error.Code, TitleOf(status), error.Message, (names ?? FieldNames.Api).ToApi(error.Fields));
        foreach (var (key, value) in error.Details ?? new Dictionary<string, object>())
        {
            problem.Extensions[key] = value;
        }

        return new ProblemResult(problem, error.RetryAfter);
    }

    /// <summary>A problem response made with <see cref="Create"/>, for the failure branch of a typed result.</summary>
    public static ProblemResult Problem(int status, string code, string title, string? detail = null, IReadOnlyDictionary<string, string[]>? fields = null) =>
        new(Create(status, code, title, detail, fields));

    /// <summary>Untyped: for handlers that answer in more shapes than one success and one problem.</summary>
    public static IResult ToHttp<T>(this Result<T> result, Func<T, IResult> onSuccess) =>
        result.IsSuccess ? onSuccess(result.Value) : ToResult(result.Error);

    /// <summary>The success branch <paramref name="onSuccess"/> makes, or the error's problem: a typed result whose success type gives the endpoint its OpenAPI response.</summary>
    public static Results<TSuccess, ProblemResult> ToHttp<T, TSuccess>(this Result<T> result, Func<T, TSuccess> onSuccess)
        where TSuccess : IResult
    {
        ArgumentNullException.ThrowIfNull(onSuccess);
        return result.IsSuccess ? onSuccess(result.Value) : ToResult(result.Error);
    }

    /// <summary>Writes a problem outside endpoint results (authentication challenges, middleware).</summary>
    public static async Task WriteAsync(HttpContext context, ProblemDetails problem)
    {
        context.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await service.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    /// <summary>
    /// Completes every problem the framework writes on its own (status-code pages for 404/405, 413 and 415 from body
    /// reading, authentication challenges): a stable code and type, our title, the request id and the path. Problems
    /// made by <see cref="Create"/> already carry their code and keep it.
    /// </summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Extensions["requestId"] = context.HttpContext.TraceIdentifier;
        problem.Instance ??= context.HttpContext.Request.Path;
        if ((problem.Status ?? context.HttpContext.Response.StatusCode) == StatusCodes.Status413PayloadTooLarge)
        {
            // The rest of the body was never read, so the connection cannot carry another request: say so, instead of
            // letting the client reuse it and fail its next request.
            context.HttpContext.Response.Headers.Connection = "close";
        }

        if (problem.Extensions.ContainsKey("code"))
        {
            return;
        }

        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        var code = CodeOf(status);
        problem.Extensions["code"] = code;
        problem.Type = TypePrefix + code;
        problem.Title = TitleOf(status);
        switch (status)
        {
            case StatusCodes.Status413PayloadTooLarge:
                problem.Detail ??= "The request body is larger than the server accepts.";
                problem.Extensions["errors"] = new Dictionary<string, string[]> { ["body"] = [problem.Detail] };
                break;
            case StatusCodes.Status415UnsupportedMediaType:
                problem.Detail ??= "Send the body as application/json.";
                problem.Extensions["errors"] = new Dictionary<string, string[]> { ["body"] = [problem.Detail] };
                break;
            case StatusCodes.Status404NotFound:
                problem.Detail ??= "There is nothing at this address.";
                break;
            case StatusCodes.Status405MethodNotAllowed:
                problem.Detail ??= "This address does not accept the method " + context.HttpContext.Request.Method + ".";
                break;
            default:
                break;
        }
    }

    /// <summary>The stable code of a status the framework produced without one of ours.</summary>
    public static string CodeOf(int status) => status switch
    {
        400 => HttpErrorCodes.BadRequest,
        401 => HttpErrorCodes.Unauthenticated,
        403 => ErrorCodes.Forbidden,
        404 => ErrorCodes.NotFound,
        405 => HttpErrorCodes.MethodNotAllowed,
        406 => HttpErrorCodes.NotAcceptable,
        408 => HttpErrorCodes.RequestTimeout,
        413 => HttpErrorCodes.PayloadTooLarge,
        415 => HttpErrorCodes.UnsupportedMediaType,
        429 => HttpErrorCodes.TooManyRequests,
        500 => HttpErrorCodes.Internal,
        503 => HttpErrorCodes.Unavailable,
        _ => "http-" + status.ToString(CultureInfo.InvariantCulture),
    };

    public static string TitleOf(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        402 => "Payment required",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        409 => "Conflict",
        413 => "Payload too large",
        415 => "Unsupported media type",
        429 => "Too many requests",
        500 => "Internal server error",
        503 => "Service unavailable",
        _ => "Error",
    };
}
