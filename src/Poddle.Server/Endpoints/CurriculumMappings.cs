using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Poddle.Contracts;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Curriculum;
using Poddle.Server.Auth;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

/// <summary>
/// Curriculum content → contract. A problem's solutions and hidden cases have no field here: only
/// <see cref="ToResponse(int, TestCase)"/> shows a case, and the service hands it hidden ones only for their author or an admin.
/// </summary>
internal static class CurriculumMappings
{
    public static CurriculumCaller ToCurriculumCaller(this ClaimsPrincipal caller) =>
        new(caller.UserId(), Enum.TryParse<UserRole>(caller.FindFirstValue(AccessTokenIssuer.RoleClaim), ignoreCase: true, out var role) ? role : UserRole.Member);

    public static ProblemSummaryResponse ToSummary(this StoredProblemView view)
    {
        var p = view.Problem;
        return new ProblemSummaryResponse(
            p.Id, p.Title, p.AgeGroup, p.Level, p.Session, view.SessionId, p.Order, p.Tags, p.Language, view.Version, view.Archived,
            p.Tests.Count(t => !t.Hidden), p.Tests.Count(t => t.Hidden));
    }

    public static CurriculumProblemResponse ToResponse(this StoredProblemView view)
    {
        var p = view.Problem;
        return new CurriculumProblemResponse(
            p.Id,
            p.Title,
            p.AgeGroup,
            p.Level,
            p.Session,
            view.SessionId,
            p.Order,
            p.Tags,
            p.Statement,
            p.StarterCode,
            p.Language,
            p.Comparison == OutputComparison.Exact ? "exact" : "trim",
            p.Limits is { } l ? new ProblemLimitsBody(l.CpuMs, l.MemoryMb) : null,
            p.FunctionName,
            view.Version,
            view.Archived,
            p.Tests.Count(t => !t.Hidden),
            p.Tests.Count(t => t.Hidden),
            view.Origin,
            view.AuthorId,
            view.UpdatedAt);
    }

    public static TestCaseResponse ToResponse(int index, TestCase test) => test.Kind == TestKind.Function
        ? new TestCaseResponse(index, "function", test.Hidden, null, null, test.Call, test.Expected)
        : new TestCaseResponse(index, "stdin", test.Hidden, test.Stdin, test.ExpectedStdout, null, null);

    public static ProblemVersionResponse ToResponse(this StoredProblemVersion version) =>
        new(version.Version, version.CreatedAt, version.AuthorId, version.Title, version.PublicTests, version.HiddenTests);

    public static CurriculumSessionResponse ToResponse(this CurriculumSession session) =>
        new(session.Id, session.Name, session.Level.AgeGroup, session.Level.Number, session.Order, [.. session.Problems.Select(ToSummary)]);

    public static LevelResponse ToResponse(this Level level, IReadOnlyList<CurriculumSession> sessions) =>
        new(level.AgeGroup, level.Number, level.Title, [.. sessions.Select(ToResponse)]);

    public static CheatsheetResponse ToCheatsheet(this Level level) => new(level.AgeGroup, level.Number, level.Title, level.Cheatsheet);

    public static ProblemDraft ToDraft(this ProblemWriteRequest request) => new(
        request.Id,
        request.Title,
        request.AgeGroup,
        request.Level,
        request.Session,
        request.Order,
        request.Tags,
        request.Statement,
        request.StarterCode,
        request.Language,
        request.Comparison,
        request.Limits is { } l ? new ProblemLimits(l.CpuMs, l.MemoryMb) : null,
        request.FunctionName,
        request.Tests?.Select(t => t is null ? null : new TestCaseDraft(t.Stdin, t.ExpectedStdout, t.Call, t.Expected, t.Hidden)).ToList(),
        request.ReferenceSolution,
        WrongSolution: null);

    /// <summary>As <see cref="Problems.ToHttp{T, TSuccess}"/>, with a failing reference solution as 422: the request is well formed, its content is not.</summary>
    public static Results<TSuccess, ProblemResult> ToCurriculumHttp<T, TSuccess>(this Result<T> result, Func<T, TSuccess> onSuccess)
        where TSuccess : IResult
    {
        ArgumentNullException.ThrowIfNull(onSuccess);
        return result.IsSuccess ? onSuccess(result.Value) : ToCurriculumProblem(result.Error);
    }

    /// <summary>The problem of a failed curriculum write: a failing reference solution is 422, the rest as usual.</summary>
    public static ProblemResult ToCurriculumProblem(Error error) =>
        error.Code == CurriculumErrorCodes.ReferenceSolutionFailed
            ? Problems.Problem(StatusCodes.Status422UnprocessableEntity, error.Code, "Unprocessable content", error.Message, FieldNames.Api.ToApi(error.Fields))
            : Problems.ToResult(error);
}
