using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Poddle.Contracts;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Server.Auth;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

/// <summary>
/// Deployments. As in every endpoint class, each handler is a named method whose typed result gives the endpoint its
/// success responses in the OpenAPI document; problem statuses are declared with <c>ProducesProblem</c>, since one
/// <see cref="ProblemResult"/> stands for all of them.
/// </summary>
internal static class DeploymentEndpoints
{
    public static IEndpointRouteBuilder MapDeploymentEndpoints(this IEndpointRouteBuilder app)
    {
        var projects = app.MapGroup("/api/projects/{projectId:guid}/deployments").WithTags("Deployments").RequireAuthorization();

        projects.MapPost("/", CreateDeployment)
            .RequireVerifiedEmail()
            .WithSummary("Deploy an image or a command")
            .WithDescription("202: the deployment is stored with status 'pending' and provisioned in the background; poll GET /api/deployments/{id} or its events.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        projects.MapGet("/", ListDeployments)
            .WithSummary("The project's deployments, by name")
            .ProducesProblem(StatusCodes.Status404NotFound);

        var deployments = app.MapGroup("/api/deployments/{id:guid}").WithTags("Deployments").RequireAuthorization();

        deployments.MapGet("/", GetDeployment)
            .WithSummary("One deployment: status, URL, replicas, configuration (secret keys only)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        deployments.MapPatch("/", UpdateDeployment)
            .RequireVerifiedEmail()
            .WithSummary("Change image, command, env, secrets, resources or health check: a new revision, rolled out in the background")
            .WithDescription("env and secrets are merged: a key with a null value is removed.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        deployments.MapDelete("/", DeleteDeployment)
            .WithSummary("Delete: status 'deleting' until every pod is gone, then 'deleted'")
            .ProducesProblem(StatusCodes.Status404NotFound);

        deployments.MapGet("/revisions", ListRevisions)
            .WithSummary("Every revision, newest first")
            .ProducesProblem(StatusCodes.Status404NotFound);

        deployments.MapPost("/rollback", RollbackDeployment)
            .RequireVerifiedEmail()
            .WithSummary("Roll back to a revision (the previous one when none is named): a new revision with its configuration and secrets")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        deployments.MapPatch("/scale", ScaleDeployment)
            .RequireVerifiedEmail()
            .WithSummary("Set the number of replicas (0 stops it)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        deployments.MapPost("/restart", RestartDeployment)
            .RequireVerifiedEmail()
            .WithSummary("Replace every replica, one at a time")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        deployments.MapGet("/events", ListDeploymentEvents)
            .WithSummary("What happened to it, newest first (?limit=1..500, default 100)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Accepted<DeploymentResponse>, ProblemResult>> CreateDeployment(
        Guid projectId, CreateDeploymentRequest request, HttpRequest http, ClaimsPrincipal caller, DeploymentService service, IOptions<DeploymentOptions> options, CancellationToken ct) =>
        Accepted(await service.CreateAsync(caller.UserId(), projectId, request.ToInput(), ct), http, options.Value);

    private static async Task<Results<Ok<IReadOnlyList<DeploymentResponse>>, ProblemResult>> ListDeployments(
        Guid projectId, HttpRequest http, ClaimsPrincipal caller, DeploymentService service, IOptions<DeploymentOptions> options, CancellationToken ct) =>
        (await service.ListAsync(caller.UserId(), projectId, ct))
            .ToHttp(list => TypedResults.Ok<IReadOnlyList<DeploymentResponse>>([.. list.Select(v => v.ToResponse(http, options.Value))]));

    private static async Task<Results<Ok<DeploymentResponse>, ProblemResult>> GetDeployment(
        Guid id, HttpRequest http, ClaimsPrincipal caller, DeploymentService service, IOptions<DeploymentOptions> options, CancellationToken ct) =>
        (await service.GetAsync(caller.UserId(), id, ct)).ToHttp(view => TypedResults.Ok(view.ToResponse(http, options.Value)));

    private static async Task<Results<Accepted<DeploymentResponse>, ProblemResult>> UpdateDeployment(
        Guid id, UpdateDeploymentRequest request, HttpRequest http, ClaimsPrincipal caller, DeploymentService service, IOptions<DeploymentOptions> options, CancellationToken ct) =>
        Accepted(await service.UpdateAsync(caller.UserId(), id, request.ToInput(), ct), http, options.Value);

    private static async Task<Results<Accepted<DeploymentResponse>, ProblemResult>> DeleteDeployment(
        Guid id, HttpRequest http, ClaimsPrincipal caller, DeploymentService service, IOptions<DeploymentOptions> options, CancellationToken ct) =>
        Accepted(await service.DeleteAsync(caller.UserId(), id, ct), http, options.Value);

    private static async Task<Results<Ok<IReadOnlyList<RevisionResponse>>, ProblemResult>> ListRevisions(
        Guid id, ClaimsPrincipal caller, DeploymentService service, CancellationToken ct) =>
        (await service.ListRevisionsAsync(caller.UserId(), id, ct))
            .ToHttp(list => TypedResults.Ok<IReadOnlyList<RevisionResponse>>([.. list.Select(r => r.ToResponse())]));

    private static async Task<Results<Accepted<DeploymentResponse>, ProblemResult>> RollbackDeployment(
        Guid id, RollbackDeploymentRequest? request, HttpRequest http, ClaimsPrincipal caller, DeploymentService service, IOptions<DeploymentOptions> options, CancellationToken ct) =>
        Accepted(await service.RollbackAsync(caller.UserId(), id, request?.Revision, ct), http, options.Value);

    private static async Task<Results<Accepted<DeploymentResponse>, ProblemResult>> ScaleDeployment(
        Guid id, ScaleDeploymentRequest request, HttpRequest http, ClaimsPrincipal caller, DeploymentService service, IOptions<DeploymentOptions> options, CancellationToken ct) =>
        Accepted(await service.ScaleAsync(caller.UserId(), id, request.Replicas, ct), http, options.Value);

    private static async Task<Results<Accepted<DeploymentResponse>, ProblemResult>> RestartDeployment(
        Guid id, HttpRequest http, ClaimsPrincipal caller, DeploymentService service, IOptions<DeploymentOptions> options, CancellationToken ct) =>
        Accepted(await service.RestartAsync(caller.UserId(), id, ct), http, options.Value);

    private static async Task<Results<Ok<IReadOnlyList<DeploymentEventResponse>>, ProblemResult>> ListDeploymentEvents(
        Guid id, int? limit, ClaimsPrincipal caller, DeploymentService service, CancellationToken ct) =>
        (await service.ListEventsAsync(caller.UserId(), id, limit ?? 100, ct))
            .ToHttp(list => TypedResults.Ok<IReadOnlyList<DeploymentEventResponse>>([.. list.Select(e => e.ToResponse())]));

    private static Results<Accepted<DeploymentResponse>, ProblemResult> Accepted(Result<DeploymentView> result, HttpRequest http, DeploymentOptions options) =>
        result.ToHttp(view => TypedResults.Accepted($"/api/deployments/{view.Deployment.Id}", view.ToResponse(http, options)));
}
