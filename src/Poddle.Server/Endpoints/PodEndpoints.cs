using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Poddle.Contracts;
using Poddle.Server.Auth;
using Poddle.Server.Errors;
using Poddle.Server.Pods;

namespace Poddle.Server.Endpoints;

/// <summary>
/// Operators' pods at a driver (`poddle pods`, docs/api.md "Pods"): runpodctl's verbs over any driver. Admin role only,
/// like /api/admin (403 for a user). The driver's own pod ids are the ids here.
/// </summary>
internal static class PodEndpoints
{
    public static IEndpointRouteBuilder MapPodEndpoints(this IEndpointRouteBuilder app)
    {
        var pods = app.MapGroup("/api/pods").WithTags("Pods").RequireAuthorization(AuthenticationSetup.AdminPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        pods.MapGet("/", List)
            .WithSummary("Pods of a driver: Poddle's with their kind, owner and id, and (RunPod) others of the account as unmanaged")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        pods.MapGet("/account", Account)
            .WithSummary("The driver's provider account: balance and spend per hour (RunPod)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        pods.MapGet("/{driver}/{id}", Get)
            .WithSummary("One pod by the driver's id")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        pods.MapPost("/", Create)
            .WithSummary("Rent or start a pod from a template: image, GPU type and count, disks, volume, ports, env, cloud type, spot bid")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        pods.MapPost("/{driver}/{id}/start", Start)
            .WithSummary("Start a stopped pod again (drivers with a provider account)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        pods.MapPost("/{driver}/{id}/stop", Stop)
            .WithSummary("Stop a pod")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        pods.MapDelete("/{driver}/{id}", Terminate)
            .WithSummary("Terminate a pod for good")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return app;
    }

    private static Task<Results<Ok<IReadOnlyList<PodResponse>>, ProblemResult>> List(string? driver, PodOperations ops, CancellationToken ct) =>
        Answer(ops.ListAsync(driver, ct));

    private static Task<Results<Ok<PodAccountResponse>, ProblemResult>> Account(string? driver, PodOperations ops, CancellationToken ct) =>
        Answer(ops.AccountAsync(driver, ct));

    private static Task<Results<Ok<PodResponse>, ProblemResult>> Get(string driver, string id, PodOperations ops, CancellationToken ct) =>
        Answer(ops.GetAsync(driver, id, ct));

    private static Task<Results<Ok<PodResponse>, ProblemResult>> Start(string driver, string id, PodOperations ops, CancellationToken ct) =>
        Answer(ops.StartAsync(driver, id, ct));

    private static Task<Results<Ok<PodResponse>, ProblemResult>> Stop(string driver, string id, PodOperations ops, CancellationToken ct) =>
        Answer(ops.StopAsync(driver, id, ct));

    private static async Task<Results<Ok<T>, ProblemResult>> Answer<T>(Task<Core.Common.Result<T>> operation) =>
        (await operation).ToHttp(TypedResults.Ok);

    private static async Task<Results<Created<PodResponse>, ProblemResult>> Create(CreatePodRequest request, ClaimsPrincipal caller, PodOperations ops, CancellationToken ct) =>
        (await ops.CreateAsync(caller.UserId(), request, ct)).ToHttp(pod => TypedResults.Created($"/api/pods/{pod.Driver}/{pod.Id}", pod));

    private static async Task<Results<NoContent, ProblemResult>> Terminate(string driver, string id, PodOperations ops, CancellationToken ct) =>
        (await ops.TerminateAsync(driver, id, ct)).ToHttp(_ => TypedResults.NoContent());
}
