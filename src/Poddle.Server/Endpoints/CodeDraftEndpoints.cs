using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Poddle.Contracts;
using Poddle.Core.Progress;
using Poddle.Server.Auth;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

/// <summary>The caller's own code drafts of a problem, per language; nobody reads or writes another user's draft.</summary>
internal static class CodeDraftEndpoints
{
    /// <summary>64 KiB of code, JSON-escaped, fits well within 1 MiB; the service answers 413 for code over its limit.</summary>
    private const long MaxBodyBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapCodeDraftEndpoints(this IEndpointRouteBuilder app)
    {
        var drafts = app.MapGroup("/api/problems/{id}/draft").WithTags("Progress").RequireAuthorization();

        drafts.MapGet("/", GetDraft)
            .WithSummary("Your draft of a problem (?language=, the problem's own by default); 404 when you have none")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        drafts.MapPut("/", SaveDraft)
            .WithMetadata(new BodySizeLimit(MaxBodyBytes))
            .WithSummary("Save your draft of a problem (created or replaced); at most the execution source limit")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        drafts.MapDelete("/", DeleteDraft)
            .WithSummary("Delete your draft (back to the starter code); idempotent")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Ok<CodeDraftResponse>, ProblemResult>> GetDraft(string id, string? language, ClaimsPrincipal caller, CodeDraftService service, CancellationToken ct) =>
        (await service.GetAsync(caller.UserId(), id, language, ct)).ToHttp(d => TypedResults.Ok(ToResponse(d)));

    private static async Task<Results<Ok<CodeDraftResponse>, ProblemResult>> SaveDraft(string id, SaveCodeDraftRequest? request, ClaimsPrincipal caller, CodeDraftService service, CancellationToken ct) =>
        (await service.SaveAsync(caller.UserId(), id, request?.Language, request?.Code, ct)).ToHttp(d => TypedResults.Ok(ToResponse(d)));

    private static async Task<Results<NoContent, ProblemResult>> DeleteDraft(string id, string? language, ClaimsPrincipal caller, CodeDraftService service, CancellationToken ct) =>
        (await service.DeleteAsync(caller.UserId(), id, language, ct)).ToHttp(_ => TypedResults.NoContent());

    private static CodeDraftResponse ToResponse(CodeDraft d) => new(d.ProblemId, d.Language, d.Code, d.UpdatedAt);

    /// <summary>A per-endpoint request body limit (Kestrel honours <see cref="IRequestSizeLimitMetadata"/>).</summary>
    private sealed class BodySizeLimit(long bytes) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => bytes;
    }
}
