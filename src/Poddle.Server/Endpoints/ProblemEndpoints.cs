using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Poddle.Contracts;
using Poddle.Core.Curriculum;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

/// <summary>
/// The curriculum's problems (docs/curriculum.md): everyone signed in reads them; teachers and admins write them.
/// Hidden cases and solutions leave only through <c>tests?includeHidden=true</c> and <c>export</c>, for the author or an admin.
/// </summary>
internal static class ProblemEndpoints
{
    private static readonly string[] YamlTypes = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain"];

    /// <summary>A problem may hold 100 cases of up to 64 KiB per field; JSON escaping can double that.</summary>
    private const long MaxWriteBodyBytes = 2L * ProblemService.MaxImportBytes;

    public static IEndpointRouteBuilder MapProblemEndpoints(this IEndpointRouteBuilder app)
    {
        var problems = app.MapGroup("/api/problems").WithTags("Curriculum").RequireAuthorization();

        problems.MapGet("/", ListProblems)
            .WithSummary("Problems in curriculum order; filter by level, ageGroup, tag, session (id or name); includeArchived for teachers and admins")
            .ProducesProblem(StatusCodes.Status403Forbidden);

        problems.MapGet("/{id}", GetProblem)
            .WithSummary("A problem: statement, starter code, limits; no hidden cases, no solutions")
            .ProducesProblem(StatusCodes.Status404NotFound);

        problems.MapGet("/{id}/tests", ListProblemTests)
            .WithSummary("A problem's public test cases; includeHidden=true adds hidden ones for its author and admins")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        problems.MapGet("/{id}/versions", ListProblemVersions)
            .WithSummary("A problem's versions, newest first (teachers and admins)")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        problems.MapPost("/", CreateProblem)
            .WithMetadata(new BodySizeLimit(MaxWriteBodyBytes))
            .WithSummary("Create a problem (teachers and admins); a referenceSolution must pass every case")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        problems.MapPut("/{id}", UpdateProblem)
            .WithMetadata(new BodySizeLimit(MaxWriteBodyBytes))
            .WithSummary("Write a new version of a problem (its author, or an admin for any)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        problems.MapDelete("/{id}", ArchiveProblem)
            .WithSummary("Archive a problem (its author, or an admin): it leaves lists and grading; submissions and progress keep it")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        problems.MapPost("/import", ImportProblem)
            .Accepts<string>("application/yaml", "text/yaml", "text/plain")

            // One byte over the limit reaches the service, which answers 413 naming the limit.
            .WithMetadata(new BodySizeLimit(ProblemService.MaxImportBytes + 1))
            .WithSummary("Import a problem file (YAML): 201 a new problem, 200 a new version of yours")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        problems.MapGet("/{id}/export", ExportProblem)
            .WithSummary("A problem as a YAML file, hidden cases and solutions included (its author and admins)")
            .Produces<string>(StatusCodes.Status200OK, "application/yaml")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<ProblemSummaryResponse>>, ProblemResult>> ListProblems(
        int? level, string? ageGroup, string? tag, string? session, bool? includeArchived, ClaimsPrincipal caller, ProblemService service, CancellationToken ct) =>
        (await service.ListAsync(caller.ToCurriculumCaller(), new ProblemFilter(level, ageGroup, tag, session, includeArchived == true), ct))
            .ToHttp(list => TypedResults.Ok<IReadOnlyList<ProblemSummaryResponse>>([.. list.Select(p => p.ToSummary())]));

    private static async Task<Results<Ok<CurriculumProblemResponse>, ProblemResult>> GetProblem(string id, ProblemService service, CancellationToken ct) =>
        (await service.GetAsync(id, ct)).ToHttp(p => TypedResults.Ok(p.ToResponse()));

    private static async Task<Results<Ok<IReadOnlyList<TestCaseResponse>>, ProblemResult>> ListProblemTests(
        string id, bool? includeHidden, ClaimsPrincipal caller, ProblemService service, CancellationToken ct) =>
        (await service.TestsAsync(caller.ToCurriculumCaller(), id, includeHidden == true, ct))
            .ToHttp(found => TypedResults.Ok<IReadOnlyList<TestCaseResponse>>([.. found.Tests.Select(t => CurriculumMappings.ToResponse(t.Index, t.Case))]));

    private static async Task<Results<Ok<IReadOnlyList<ProblemVersionResponse>>, ProblemResult>> ListProblemVersions(
        string id, ClaimsPrincipal caller, ProblemService service, CancellationToken ct) =>
        (await service.VersionsAsync(caller.ToCurriculumCaller(), id, ct))
            .ToHttp(versions => TypedResults.Ok<IReadOnlyList<ProblemVersionResponse>>([.. versions.Select(v => v.ToResponse())]));

    private static async Task<Results<Created<CurriculumProblemResponse>, ProblemResult>> CreateProblem(
        ProblemWriteRequest request, ClaimsPrincipal caller, ProblemService service, CancellationToken ct) =>
        (await service.CreateAsync(caller.ToCurriculumCaller(), request.ToDraft(), ct))
            .ToCurriculumHttp(p => TypedResults.Created($"/api/problems/{p.Problem.Id}", p.ToResponse()));

    private static async Task<Results<Ok<CurriculumProblemResponse>, ProblemResult>> UpdateProblem(
        string id, ProblemWriteRequest request, ClaimsPrincipal caller, ProblemService service, CancellationToken ct) =>
        (await service.UpdateAsync(caller.ToCurriculumCaller(), id, request.ToDraft(), ct)).ToCurriculumHttp(p => TypedResults.Ok(p.ToResponse()));

    private static async Task<Results<Ok<CurriculumProblemResponse>, ProblemResult>> ArchiveProblem(
        string id, ClaimsPrincipal caller, ProblemService service, CancellationToken ct) =>
        (await service.ArchiveAsync(caller.ToCurriculumCaller(), id, ct)).ToHttp(p => TypedResults.Ok(p.ToResponse()));

    private static async Task<Results<Created<CurriculumProblemResponse>, Ok<CurriculumProblemResponse>, ProblemResult>> ImportProblem(
        HttpRequest http, ClaimsPrincipal caller, ProblemService service, CancellationToken ct)
    {
        var mediaType = http.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is null || !YamlTypes.Contains(mediaType))
        {
            const string message = "Send one problem file as application/yaml, text/yaml or text/plain.";
            return Problems.Problem(
                StatusCodes.Status415UnsupportedMediaType, HttpErrorCodes.UnsupportedMediaType, "Unsupported media type", message,
                new Dictionary<string, string[]> { ["body"] = [message] });
        }

        var imported = await service.ImportAsync(caller.ToCurriculumCaller(), http.Body, ct);
        if (!imported.IsSuccess)
        {
            return CurriculumMappings.ToCurriculumProblem(imported.Error);
        }

        var problem = imported.Value.Problem;
        return imported.Value.Created
            ? TypedResults.Created($"/api/problems/{problem.Problem.Id}", problem.ToResponse())
            : TypedResults.Ok(problem.ToResponse());
    }

    private static async Task<Results<ContentHttpResult, ProblemResult>> ExportProblem(
        string id, ClaimsPrincipal caller, ProblemService service, HttpResponse response, CancellationToken ct) =>
        (await service.ExportAsync(caller.ToCurriculumCaller(), id, ct)).ToHttp(yaml =>
        {
            response.Headers.ContentDisposition = $"attachment; filename=\"{id}.yaml\"";
            return TypedResults.Text(yaml, "application/yaml; charset=utf-8");
        });

    /// <summary>A per-endpoint request body limit (Kestrel honours <see cref="IRequestSizeLimitMetadata"/>).</summary>
    private sealed class BodySizeLimit(long bytes) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => bytes;
    }
}
