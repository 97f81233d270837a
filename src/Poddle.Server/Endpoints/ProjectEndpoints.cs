using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
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

        projects.MapPost("/", CreateProject)
            .WithSummary("Create a project")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

        projects.MapGet("/", ListProjects)
            .WithSummary("Your projects");

        projects.MapGet("/{id:guid}", GetProject)
            .WithSummary("One of your projects")
            .ProducesProblem(StatusCodes.Status404NotFound);

        projects.MapPatch("/{id:guid}", UpdateProject)
            .WithSummary("Rename a project or change its description")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        projects.MapDelete("/{id:guid}", DeleteProject)
            .WithSummary("Delete a project")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Created<ProjectResponse>, ProblemResult>> CreateProject(CreateProjectRequest request, ClaimsPrincipal caller, ProjectService service, CancellationToken ct) =>
        (await service.CreateAsync(caller.UserId(), request.Name, request.Description, ct))
            .ToHttp(project => TypedResults.Created($"/api/projects/{project.Id}", project.ToResponse()));

    private static async Task<Ok<IReadOnlyList<ProjectResponse>>> ListProjects(ClaimsPrincipal caller, ProjectService service, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<ProjectResponse>>([.. (await service.ListAsync(caller.UserId(), ct)).Select(p => p.ToResponse())]);

    private static async Task<Results<Ok<ProjectResponse>, ProblemResult>> GetProject(Guid id, ClaimsPrincipal caller, ProjectService service, CancellationToken ct) =>
        (await service.GetAsync(caller.UserId(), id, ct)).ToHttp(project => TypedResults.Ok(project.ToResponse()));

    private static async Task<Results<Ok<ProjectResponse>, ProblemResult>> UpdateProject(Guid id, UpdateProjectRequest request, ClaimsPrincipal caller, ProjectService service, CancellationToken ct) =>
        (await service.UpdateAsync(caller.UserId(), id, new ProjectChanges(request.Name, request.Description), ct))
            .ToHttp(project => TypedResults.Ok(project.ToResponse()));

    private static async Task<Results<NoContent, ProblemResult>> DeleteProject(Guid id, ClaimsPrincipal caller, ProjectService service, CancellationToken ct) =>
        (await service.DeleteAsync(caller.UserId(), id, ct)).ToHttp(_ => TypedResults.NoContent());
}
