using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Poddle.Contracts;
using Poddle.Core.Deployments;
using Poddle.Server.Auth;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

internal static class DeploymentEndpoints
{
    public static IEndpointRouteBuilder MapDeploymentEndpoints(this IEndpointRouteBuilder app)
    {
        var projects = app.MapGroup("/api/projects/{projectId:guid}/deployments").WithTags("Deployments").RequireAuthorization();

        projects.MapPost("/", async (Guid projectId, CreateDeploymentRequest request, HttpRequest http, ClaimsPrincipal caller, DeploymentService service, IOptions<DeploymentOptions> options, CancellationToken ct) =>
                Accepted(await service.CreateAsync(caller.UserId(), projectId, request.ToInput(), ct), http, options.Value))
            .RequireVerifiedEmail()
            .WithSummary("Deploy an image or a command")
            .WithDescription("202: the deployment is stored with status 'pending' and provisioned in the background; poll GET /api/deployments/{id} or its events.")
            .Produces<DeploymentResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        projects.MapGet("/", async (Guid projectId, HttpRequest http, ClaimsPrincipal caller, DeploymentService service, IOptions<DeploymentOptions> options, CancellationToken ct) =>
                (await service.ListAsync(caller.UserId(), projectId, ct))
                    .ToHttp(list => TypedResults.Ok<IReadOnlyList<DeploymentResponse>>([.. list.Select(v => v.ToResponse(http, options.Value))])))
            .WithSummary("The project's deployments, by name")
            .Produces<IReadOnlyList<DeploymentResponse>>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        var deployments = app.MapGroup("/api/deployments/{id:guid}").WithTags("Deployments").RequireAuthorization();

        deployments.MapGet("/", async (Guid id, HttpRequest http, ClaimsPrincipal caller, DeploymentService service, IOptions<DeploymentOptions> options, CancellationToken ct) =>
                (await service.GetAsync(caller.UserId(), id, ct)).ToHttp(view => TypedResults.Ok(view.ToResponse(http, options.Value))))
            .WithSummary("One deployment: status, URL, replicas, configuration (secret keys only)")
            .Produces<DeploymentResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        deployments.MapPatch("/", async (Guid id, UpdateDeploymentRequest request, HttpRequest http, ClaimsPrincipal caller, DeploymentService service, IOptions<DeploymentOptions> options, CancellationToken ct) =>
                Accepted(await service.UpdateAsync(caller.UserId(), id, request.ToInput(), ct), http, options.Value))
            .RequireVerifiedEmail()
            .WithSummary("Change image, command, env, secrets, resources or health check: a new revision, rolled out in the background")
            .WithDescription("env and secrets are merged: a key with a null value is removed.")
            .Produces<DeploymentResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        deployments.MapDelete("/", async (Guid id, HttpRequest http, ClaimsPrincipal caller, DeploymentService service, IOptions<DeploymentOptions> options, CancellationToken ct) =>
                Accepted(await service.DeleteAsync(caller.UserId(), id, ct), http, options.Value))
            .WithSummary("Delete: status 'deleting' until every pod is gone, then 'deleted'")
            .Produces<DeploymentResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound);

        deployments.MapGet("/revisions", async (Guid id, ClaimsPrincipal caller, DeploymentService service, CancellationToken ct) =>
                (await service.ListRevisionsAsync(caller.UserId(), id, ct))
                    .ToHttp(list => TypedResults.Ok<IReadOnlyList<RevisionResponse>>([.. list.Select(r => r.ToResponse())])))
            .WithSummary("Every revision, newest first")
            .Produces<IReadOnlyList<RevisionResponse>>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        deployments.MapPost("/rollback", async (Guid id, RollbackDeploymentRequest? request, HttpRequest http, ClaimsPrincipal caller, DeploymentService service, IOptions<DeploymentOptions> options, CancellationToken ct) =>
                Accepted(await service.RollbackAsync(caller.UserId(), id, request?.Revision, ct), http, options.Value))
            .RequireVerifiedEmail()
            .WithSummary("Roll back to a revision (the previous one when none is named): a new revision with its configuration and secrets")
            .Produces<DeploymentResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        deployments.MapPatch("/scale", async (Guid id, ScaleDeploymentRequest request, HttpRequest http, ClaimsPrincipal caller, DeploymentService service, IOptions<DeploymentOptions> options, CancellationToken ct) =>
                Accepted(await service.ScaleAsync(caller.UserId(), id, request.Replicas, ct), http, options.Value))
            .RequireVerifiedEmail()
            .WithSummary("Set the number of replicas (0 stops it)")
            .Produces<DeploymentResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        deployments.MapPost("/restart", async (Guid id, HttpRequest http, ClaimsPrincipal caller, DeploymentService service, IOptions<DeploymentOptions> options, CancellationToken ct) =>
                Accepted(await service.RestartAsync(caller.UserId(), id, ct), http, options.Value))
            .RequireVerifiedEmail()
            .WithSummary("Replace every replica, one at a time")
            .Produces<DeploymentResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        deployments.MapGet("/events", async (Guid id, int? limit, ClaimsPrincipal caller, DeploymentService service, CancellationToken ct) =>
                (await service.ListEventsAsync(caller.UserId(), id, limit ?? 100, ct))
                    .ToHttp(list => TypedResults.Ok<IReadOnlyList<DeploymentEventResponse>>([.. list.Select(e => e.ToResponse())])))
            .WithSummary("What happened to it, newest first (?limit=1..500, default 100)")
            .Produces<IReadOnlyList<DeploymentEventResponse>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static IResult Accepted(Poddle.Core.Common.Result<DeploymentView> result, HttpRequest http, DeploymentOptions options) =>
        result.ToHttp(view => TypedResults.Accepted($"/api/deployments/{view.Deployment.Id}", view.ToResponse(http, options)));
}
