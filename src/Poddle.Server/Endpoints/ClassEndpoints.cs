using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Poddle.Contracts;
using Poddle.Core.Accounts;
using Poddle.Core.Classes;
using Poddle.Server.Auth;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

/// <summary>Classes: teachers create them, students join by code, teachers see their students' progress.</summary>
internal static class ClassEndpoints
{
    public static IEndpointRouteBuilder MapClassEndpoints(this IEndpointRouteBuilder app)
    {
        var classes = app.MapGroup("/api/classes").WithTags("Classes").RequireAuthorization();

        classes.MapPost("/", CreateClass)
            .WithSummary("Create a class with a join code (teachers and admins)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden);

        classes.MapGet("/", ListClasses)
            .WithSummary("Classes you teach (with their join codes) and classes you joined (without); admins see all");

        classes.MapGet("/{id:guid}", GetClass)
            .WithSummary("A class you teach or joined")
            .ProducesProblem(StatusCodes.Status404NotFound);

        classes.MapPost("/join", JoinClass)
            .WithSummary("Join a class by its code (idempotent)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        classes.MapDelete("/{id:guid}/students/{userId:guid}", RemoveStudent)
            .WithSummary("Remove a student from your class (its teacher or an admin)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        classes.MapGet("/{id:guid}/progress", GetClassProgress)
            .WithSummary("Every student's progress in your class (its teacher or an admin)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        classes.MapGet("/{id:guid}/students/{userId:guid}/submissions", ListStudentSubmissions)
            .WithSummary("A student's graded submissions with their code, newest first (?problemId=; ?offset=&limit= up to 100): the class's teacher or an admin")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Created<ClassResponse>, ProblemResult>> CreateClass(CreateClassRequest? request, ClaimsPrincipal caller, ClassService service, CancellationToken ct) =>
        (await service.CreateAsync(Caller(caller), request?.Name, ct)).ToHttp(v => TypedResults.Created($"/api/classes/{v.Class.Id}", ToResponse(v)));

    private static async Task<Ok<IReadOnlyList<ClassResponse>>> ListClasses(ClaimsPrincipal caller, ClassService service, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<ClassResponse>>([.. (await service.ListAsync(Caller(caller), ct)).Select(ToResponse)]);

    private static async Task<Results<Ok<ClassResponse>, ProblemResult>> GetClass(Guid id, ClaimsPrincipal caller, ClassService service, CancellationToken ct) =>
        (await service.GetAsync(Caller(caller), id, ct)).ToHttp(v => TypedResults.Ok(ToResponse(v)));

    private static async Task<Results<Ok<ClassResponse>, ProblemResult>> JoinClass(JoinClassRequest? request, ClaimsPrincipal caller, ClassService service, CancellationToken ct) =>
        (await service.JoinAsync(Caller(caller), request?.Code, ct)).ToHttp(v => TypedResults.Ok(ToResponse(v)));

    private static async Task<Results<NoContent, ProblemResult>> RemoveStudent(Guid id, Guid userId, ClaimsPrincipal caller, ClassService service, CancellationToken ct) =>
        (await service.RemoveStudentAsync(Caller(caller), id, userId, ct)).ToHttp(_ => TypedResults.NoContent());

    private static async Task<Results<Ok<ClassProgressResponse>, ProblemResult>> GetClassProgress(Guid id, ClaimsPrincipal caller, ClassService service, CancellationToken ct) =>
        (await service.ProgressAsync(Caller(caller), id, ct)).ToHttp(p => TypedResults.Ok(new ClassProgressResponse(
            p.Class.Id,
            p.Class.Name,
            [.. p.Students.Select(s => new StudentProgressResponse(
                s.Student.Id,
                s.Student.Username,
                s.Student.DisplayName,
                s.Summary.Solved,
                s.Summary.Attempted,
                s.Summary.StreakDays,
                s.Summary.LastActivity,
                [.. s.Problems.Select(ProgressEndpoints.ToResponse)]))])));

    private static async Task<Results<Ok<StudentSubmissionsResponse>, ProblemResult>> ListStudentSubmissions(
        Guid id, Guid userId, string? problemId, ClaimsPrincipal caller, ClassService service, CancellationToken ct, int offset = 0, int limit = 20) =>
        (await service.StudentSubmissionsAsync(Caller(caller), id, userId, problemId, offset, limit, ct)).ToHttp(v => TypedResults.Ok(new StudentSubmissionsResponse(
            v.Class.Id,
            v.Student.Id,
            v.Student.Username,
            v.Student.DisplayName,
            [.. v.Submissions.Select(s => new StudentSubmissionResponse(SubmissionEndpoints.ToResponse(s), s.Code))])));

    /// <summary>The caller's role as the access token states it.</summary>
    private static ClassCaller Caller(ClaimsPrincipal caller) => new(
        caller.UserId(),
        caller.IsInRole(Roles.Admin) ? UserRole.Admin
        : caller.IsInRole(Roles.Teacher) ? UserRole.Teacher
        : caller.IsInRole(Roles.Student) ? UserRole.Student
        : UserRole.Member);

    private static ClassResponse ToResponse(ClassView v) =>
        new(v.Class.Id, v.Class.Name, v.TeacherUsername, v.ShowJoinCode ? v.Class.JoinCode : null, v.Students, v.Class.CreatedAt);
}
