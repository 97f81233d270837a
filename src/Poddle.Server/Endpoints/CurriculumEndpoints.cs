using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Poddle.Contracts;
using Poddle.Core.Curriculum;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

/// <summary>Levels, sessions and cheatsheets of the curriculum (docs/curriculum.md), for everyone signed in.</summary>
internal static class CurriculumEndpoints
{
    public static IEndpointRouteBuilder MapCurriculumEndpoints(this IEndpointRouteBuilder app)
    {
        var levels = app.MapGroup("/api/levels").WithTags("Curriculum").RequireAuthorization();

        levels.MapGet("/{ageGroup}", async (string ageGroup, ProblemService service, CancellationToken ct) =>
                (await service.LevelsAsync(ageGroup, ct))
                    .ToHttp(found => TypedResults.Ok<IReadOnlyList<LevelResponse>>([.. found.Select(l => l.Level.ToResponse(l.Sessions))])))
            .WithSummary("An age group's levels, their sessions and the sessions' problems (not archived), in order")
            .Produces<IReadOnlyList<LevelResponse>>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        levels.MapGet("/{ageGroup}/{level:int}/cheatsheet", async (string ageGroup, int level, ProblemService service, CancellationToken ct) =>
                (await service.LevelAsync(ageGroup, level, ct)).ToHttp(l => TypedResults.Ok(l.ToCheatsheet())))
            .WithSummary("A level's cheatsheet (Markdown)")
            .Produces<CheatsheetResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/api/sessions/{id}", async (string id, ProblemService service, CancellationToken ct) =>
                (await service.SessionAsync(id, ct)).ToHttp(s => TypedResults.Ok(s.ToResponse())))
            .WithTags("Curriculum")
            .RequireAuthorization()
            .WithSummary("A session ({ageGroup}-{level}-{slug of its name}) and its problems in order")
            .Produces<CurriculumSessionResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }
}
