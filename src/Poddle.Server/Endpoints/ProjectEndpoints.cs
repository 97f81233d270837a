using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Poddle.Contracts;
using Poddle.Core.Projects;
using Poddle.Server.Auth;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

internal static class ProjectEndpoints
{
    public static IEndpointRouteBuilder MapProjectEndpoints(this IEndpointRouteBuilder app)
    {
        var projects = app.MapGroup("/api/projects").WithTags("Projects").RequireAuthorization();

        projects.MapPost("/", async (CreateProjectRequest request, ClaimsPrincipal caller, ProjectService service, CancellationToken ct) =>
            (await service.CreateAsync(caller.UserId(), request.Name, request.Description, ct))
                .ToHttp(project => TypedResults.Created($"/api/projects/{project.Id}", project.ToResponse())))
            .WithSummary("Create a project")
            .Produces<ProjectResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

        projects.MapGet("/", async (ClaimsPrincipal caller, ProjectService service, CancellationToken ct) =>
                TypedResults.Ok<IReadOnlyList<ProjectResponse>>([.. (await service.ListAsync(caller.UserId(), ct)).Select(p => p.ToResponse())]))
            .WithSummary("Your projects");

        projects.MapGet("/{id:guid}", async (Guid id, ClaimsPrincipal caller, ProjectService service, CancellationToken ct) =>
            (await service.GetAsync(caller.UserId(), id, ct)).ToHttp(project => TypedResults.Ok(project.ToResponse())))
            .WithSummary("One of your projects")
            .Produces<ProjectResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        projects.MapPatch("/{id:guid}", async (Guid id, UpdateProjectRequest request, ClaimsPrincipal caller, ProjectService service, CancellationToken ct) =>
            (await service.UpdateAsync(caller.UserId(), id, new ProjectChanges(request.Name, request.Description), ct))
                .ToHttp(project => TypedResults.Ok(project.ToResponse())))
            .WithSummary("Rename a project or change its description")
            .Produces<ProjectResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        projects.MapDelete("/{id:guid}", async (Guid id, ClaimsPrincipal caller, ProjectService service, CancellationToken ct) =>
            (await service.DeleteAsync(caller.UserId(), id, ct)).ToHttp(_ => TypedResults.NoContent()))
            .WithSummary("Delete a project")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }
}
