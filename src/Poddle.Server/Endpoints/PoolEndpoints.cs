using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Poddle.Contracts;
using Poddle.Core.Pools;
using Poddle.Core.Pools.Runtime;
using Poddle.Server.Auth;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

/// <summary>Worker pools (docs/pools.md): CRUD and their bounds. Their jobs are RunPod's API (<see cref="ServerlessEndpoints"/>).</summary>
internal static class PoolEndpoints
{
    public static IEndpointRouteBuilder MapPoolEndpoints(this IEndpointRouteBuilder app)
    {
        var pools = app.MapGroup("/api/pools").WithTags("Pools").RequireAuthorization();

        pools.MapPost("/", CreatePool)
            .RequireVerifiedEmail()
            .WithSummary("Create a worker pool: a worker spec, min/max workers, the scaler and its windows, job timeouts")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);

        pools.MapGet("/", ListPools)
            .WithSummary("Your pools, by name");

        pools.MapGet("/{id:guid}", GetPool)
            .WithSummary("One pool (secret keys only)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        pools.MapPatch("/{id:guid}", UpdatePool)
            .RequireVerifiedEmail()
            .WithSummary("Change the worker spec or the pool's knobs")
            .WithDescription("env and secrets are merged: a key with a null value is removed.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        pools.MapPost("/{id:guid}/scale", ScalePool)
            .RequireVerifiedEmail()
            .WithSummary("Set minWorkers and/or maxWorkers")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        pools.MapDelete("/{id:guid}", DeletePool)
            .WithSummary("Delete a pool with its jobs; its workers' keys stop working")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Created<PoolResponse>, ProblemResult>> CreatePool(
        CreatePoolRequest request, HttpRequest http, ClaimsPrincipal caller, PoolService service, CancellationToken ct) =>
        (await service.CreateAsync(caller.UserId(), request.ToInput(), ct))
            .ToHttp(view => TypedResults.Created($"/api/pools/{view.Pool.Id}", view.ToResponse(http)));

    private static async Task<Ok<IReadOnlyList<PoolResponse>>> ListPools(HttpRequest http, ClaimsPrincipal caller, PoolService service, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<PoolResponse>>([.. (await service.ListAsync(caller.UserId(), ct)).Select(v => v.ToResponse(http))]);

    private static async Task<Results<Ok<PoolResponse>, ProblemResult>> GetPool(
        Guid id, HttpRequest http, ClaimsPrincipal caller, PoolService service, PoolRuntimeQueries runtime, CancellationToken ct)
    {
        var found = await service.GetAsync(caller.UserId(), id, ct);
        var workers = found.IsSuccess ? await runtime.ForPoolAsync(id, ct) : null;
        return found.ToHttp(view => TypedResults.Ok(view.ToResponse(http, workers!)));
    }

    private static async Task<Results<Ok<PoolResponse>, ProblemResult>> UpdatePool(
        Guid id, UpdatePoolRequest request, HttpRequest http, ClaimsPrincipal caller, PoolService service, CancellationToken ct) =>
        (await service.UpdateAsync(caller.UserId(), id, request.ToInput(), ct)).ToHttp(view => TypedResults.Ok(view.ToResponse(http)));

    private static async Task<Results<Ok<PoolResponse>, ProblemResult>> ScalePool(
        Guid id, ScalePoolRequest request, HttpRequest http, ClaimsPrincipal caller, PoolService service, CancellationToken ct) =>
        (await service.ScaleAsync(caller.UserId(), id, request.MinWorkers, request.MaxWorkers, ct)).ToHttp(view => TypedResults.Ok(view.ToResponse(http)));

    private static async Task<Results<NoContent, ProblemResult>> DeletePool(Guid id, ClaimsPrincipal caller, PoolService service, CancellationToken ct) =>
        (await service.DeleteAsync(caller.UserId(), id, ct)).ToHttp(_ => TypedResults.NoContent());
}
