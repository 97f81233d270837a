using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Poddle.Contracts;
using Poddle.Core.Accounts;
using Poddle.Core.Deployments;
using Poddle.Server.Auth;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

internal static class DomainEndpoints
{
    public static IEndpointRouteBuilder MapDomainEndpoints(this IEndpointRouteBuilder app)
    {
        var domains = app.MapGroup("/api/deployments/{id:guid}/domains").WithTags("Domains").RequireAuthorization();

        domains.MapPost("/", AddDomain)
            .WithSummary("Add a custom domain; publish the TXT record it returns, then verify")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        domains.MapGet("/", ListDomains)
            .WithSummary("The deployment's custom domains")
            .ProducesProblem(StatusCodes.Status404NotFound);

        domains.MapDelete("/{domainId:guid}", DeleteDomain)
            .WithSummary("Remove a custom domain (no longer routed)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        domains.MapPost("/{domainId:guid}/verify", VerifyDomain)
            .WithSummary("Check the TXT record _poddle-challenge.{hostname}; once it holds the token the domain is routed (admins need no record)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        app.MapPost("/api/admin/domains/{domainId:guid}/verify", VerifyDomainAsAdmin)
            .WithTags("Admin")
            .RequireAuthorization(AuthenticationSetup.AdminPolicy)
            .WithSummary("Mark any user's domain verified without DNS")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Created<DomainResponse>, ProblemResult>> AddDomain(Guid id, AddDomainRequest request, ClaimsPrincipal caller, DomainService service, CancellationToken ct) =>
        (await service.AddAsync(caller.UserId(), id, request.Hostname, ct))
            .ToHttp(domain => TypedResults.Created($"/api/deployments/{id}/domains/{domain.Id}", domain.ToResponse()));

    private static async Task<Results<Ok<IReadOnlyList<DomainResponse>>, ProblemResult>> ListDomains(Guid id, ClaimsPrincipal caller, DomainService service, CancellationToken ct) =>
        (await service.ListAsync(caller.UserId(), id, ct))
            .ToHttp(list => TypedResults.Ok<IReadOnlyList<DomainResponse>>([.. list.Select(d => d.ToResponse())]));

    private static async Task<Results<NoContent, ProblemResult>> DeleteDomain(Guid id, Guid domainId, ClaimsPrincipal caller, DomainService service, CancellationToken ct) =>
        (await service.DeleteAsync(caller.UserId(), id, domainId, ct)).ToHttp(_ => TypedResults.NoContent());

    private static async Task<Results<Ok<DomainResponse>, ProblemResult>> VerifyDomain(Guid id, Guid domainId, ClaimsPrincipal caller, DomainService service, CancellationToken ct) =>
        (await service.VerifyAsync(caller.UserId(), caller.IsInRole(Roles.Admin), id, domainId, ct)).ToHttp(domain => TypedResults.Ok(domain.ToResponse()));

    private static async Task<Results<Ok<DomainResponse>, ProblemResult>> VerifyDomainAsAdmin(Guid domainId, DomainService service, CancellationToken ct) =>
        (await service.VerifyAsAdminAsync(domainId, ct)).ToHttp(domain => TypedResults.Ok(domain.ToResponse()));
}
