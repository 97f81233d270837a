using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
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

        problems.MapGet("/", async (int? level, string? ageGroup, string? tag, string? session, bool? includeArchived, ClaimsPrincipal caller, ProblemService service, CancellationToken ct) =>
                (await service.ListAsync(caller.ToCurriculumCaller(), new ProblemFilter(level, ageGroup, tag, session, includeArchived == true), ct))
                    .ToHttp(list => TypedResults.Ok<IReadOnlyList<ProblemSummaryResponse>>([.. list.Select(p => p.ToSummary())])))
            .WithSummary("Problems in curriculum order; filter by level, ageGroup, tag, session (id or name); includeArchived for teachers and admins")
            .Produces<IReadOnlyList<ProblemSummaryResponse>>()
            .ProducesProblem(StatusCodes.Status403Forbidden);

        problems.MapGet("/{id}", async (string id, ProblemService service, CancellationToken ct) =>
                (await service.GetAsync(id, ct)).ToHttp(p => TypedResults.Ok(p.ToResponse())))
            .WithSummary("A problem: statement, starter code, limits; no hidden cases, no solutions")
            .Produces<CurriculumProblemResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        problems.MapGet("/{id}/tests", async (string id, bool? includeHidden, ClaimsPrincipal caller, ProblemService service, CancellationToken ct) =>
                (await service.TestsAsync(caller.ToCurriculumCaller(), id, includeHidden == true, ct))
                    .ToHttp(found => TypedResults.Ok<IReadOnlyList<TestCaseResponse>>([.. found.Tests.Select(t => CurriculumMappings.ToResponse(t.Index, t.Case))])))
            .WithSummary("A problem's public test cases; includeHidden=true adds hidden ones for its author and admins")
            .Produces<IReadOnlyList<TestCaseResponse>>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        problems.MapGet("/{id}/versions", async (string id, ClaimsPrincipal caller, ProblemService service, CancellationToken ct) =>
                (await service.VersionsAsync(caller.ToCurriculumCaller(), id, ct))
                    .ToHttp(versions => TypedResults.Ok<IReadOnlyList<ProblemVersionResponse>>([.. versions.Select(v => v.ToResponse())])))
            .WithSummary("A problem's versions, newest first (teachers and admins)")
            .Produces<IReadOnlyList<ProblemVersionResponse>>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        problems.MapPost("/", async (ProblemWriteRequest request, ClaimsPrincipal caller, ProblemService service, CancellationToken ct) =>
                (await service.CreateAsync(caller.ToCurriculumCaller(), request.ToDraft(), ct))
                    .ToCurriculumHttp(p => TypedResults.Created($"/api/problems/{p.Problem.Id}", p.ToResponse())))
            .WithMetadata(new BodySizeLimit(MaxWriteBodyBytes))
            .WithSummary("Create a problem (teachers and admins); a referenceSolution must pass every case")
            .Produces<CurriculumProblemResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        problems.MapPut("/{id}", async (string id, ProblemWriteRequest request, ClaimsPrincipal caller, ProblemService service, CancellationToken ct) =>
                (await service.UpdateAsync(caller.ToCurriculumCaller(), id, request.ToDraft(), ct)).ToCurriculumHttp(p => TypedResults.Ok(p.ToResponse())))
            .WithMetadata(new BodySizeLimit(MaxWriteBodyBytes))
            .WithSummary("Write a new version of a problem (its author, or an admin for any)")
            .Produces<CurriculumProblemResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        problems.MapDelete("/{id}", async (string id, ClaimsPrincipal caller, ProblemService service, CancellationToken ct) =>
                (await service.ArchiveAsync(caller.ToCurriculumCaller(), id, ct)).ToHttp(p => TypedResults.Ok(p.ToResponse())))
            .WithSummary("Archive a problem (its author, or an admin): it leaves lists and grading; submissions and progress keep it")
            .Produces<CurriculumProblemResponse>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        problems.MapPost("/import", async (HttpRequest http, ClaimsPrincipal caller, ProblemService service, CancellationToken ct) =>
            {
                var mediaType = http.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
                if (mediaType is null || !YamlTypes.Contains(mediaType))
                {
                    const string message = "Send one problem file as application/yaml, text/yaml or text/plain.";
                    return TypedResults.Problem(Problems.Create(
                        StatusCodes.Status415UnsupportedMediaType, HttpErrorCodes.UnsupportedMediaType, "Unsupported media type", message,
                        new Dictionary<string, string[]> { ["body"] = [message] }));
                }

                return (await service.ImportAsync(caller.ToCurriculumCaller(), http.Body, ct)).ToCurriculumHttp(imported => imported.Created
                    ? TypedResults.Created($"/api/problems/{imported.Problem.Problem.Id}", imported.Problem.ToResponse())
                    : TypedResults.Ok(imported.Problem.ToResponse()));
            })
            .Accepts<string>("application/yaml", "text/yaml", "text/plain")

            // One byte over the limit reaches the service, which answers 413 naming the limit.
            .WithMetadata(new BodySizeLimit(ProblemService.MaxImportBytes + 1))
            .WithSummary("Import a problem file (YAML): 201 a new problem, 200 a new version of yours")
            .Produces<CurriculumProblemResponse>(StatusCodes.Status201Created)
            .Produces<CurriculumProblemResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        problems.MapGet("/{id}/export", async (string id, ClaimsPrincipal caller, ProblemService service, HttpResponse response, CancellationToken ct) =>
                (await service.ExportAsync(caller.ToCurriculumCaller(), id, ct)).ToHttp(yaml =>
                {
                    response.Headers.ContentDisposition = $"attachment; filename=\"{id}.yaml\"";
                    return TypedResults.Text(yaml, "application/yaml; charset=utf-8");
                }))
            .WithSummary("A problem as a YAML file, hidden cases and solutions included (its author and admins)")
            .Produces<string>(StatusCodes.Status200OK, "application/yaml")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    /// <summary>A per-endpoint request body limit (Kestrel honours <see cref="IRequestSizeLimitMetadata"/>).</summary>
    private sealed class BodySizeLimit(long bytes) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => bytes;
    }
}
