using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
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

        levels.MapGet("/{ageGroup}", ListLevels)
            .WithSummary("An age group's levels, their sessions and the sessions' problems (not archived), in order")
            .ProducesProblem(StatusCodes.Status404NotFound);

        levels.MapGet("/{ageGroup}/{level:int}/cheatsheet", GetCheatsheet)
            .WithSummary("A level's cheatsheet (Markdown)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/api/sessions/{id}", GetSession)
            .WithTags("Curriculum")
            .RequireAuthorization()
            .WithSummary("A session ({ageGroup}-{level}-{slug of its name}) and its problems in order")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<LevelResponse>>, ProblemResult>> ListLevels(string ageGroup, ProblemService service, CancellationToken ct) =>
        (await service.LevelsAsync(ageGroup, ct))
            .ToHttp(found => TypedResults.Ok<IReadOnlyList<LevelResponse>>([.. found.Select(l => l.Level.ToResponse(l.Sessions))]));

    private static async Task<Results<Ok<CheatsheetResponse>, ProblemResult>> GetCheatsheet(string ageGroup, int level, ProblemService service, CancellationToken ct) =>
        (await service.LevelAsync(ageGroup, level, ct)).ToHttp(l => TypedResults.Ok(l.ToCheatsheet()));

    private static async Task<Results<Ok<CurriculumSessionResponse>, ProblemResult>> GetSession(string id, ProblemService service, CancellationToken ct) =>
        (await service.SessionAsync(id, ct)).ToHttp(s => TypedResults.Ok(s.ToResponse()));
}
