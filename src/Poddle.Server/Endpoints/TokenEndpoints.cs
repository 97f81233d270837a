using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Poddle.Contracts;
using Poddle.Core.Accounts;
using Poddle.Server.Auth;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

internal static class TokenEndpoints
{
    public static IEndpointRouteBuilder MapTokenEndpoints(this IEndpointRouteBuilder app)
    {
        var tokens = app.MapGroup("/api/tokens").WithTags("API tokens").RequireAuthorization();

        tokens.MapPost("/", CreateToken)
            .WithSummary("Create an API token (the token is shown once)")
            .ProducesValidationProblem();

        tokens.MapGet("/", ListTokens)
            .WithSummary("Your active API tokens (never the secrets)");

        tokens.MapDelete("/{id:guid}", RevokeToken)
            .WithSummary("Revoke an API token")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Created<CreatedApiTokenResponse>, ProblemResult>> CreateToken(CreateApiTokenRequest request, ClaimsPrincipal caller, ApiTokenService service, CancellationToken ct) =>
        (await service.CreateAsync(caller.UserId(), request.Name, request.ExpiresInDays, ct))
            .ToHttp(created => TypedResults.Created(
                $"/api/tokens/{created.Token.Id}",
                new CreatedApiTokenResponse(created.Token.Id, created.Token.Name, created.Token.Prefix, created.Token.CreatedAt, created.Token.ExpiresAt, created.Secret)));

    private static async Task<Ok<IReadOnlyList<ApiTokenResponse>>> ListTokens(ClaimsPrincipal caller, ApiTokenService service, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<ApiTokenResponse>>([.. (await service.ListAsync(caller.UserId(), ct)).Select(t => t.ToResponse())]);

    private static async Task<Results<NoContent, ProblemResult>> RevokeToken(Guid id, ClaimsPrincipal caller, ApiTokenService service, CancellationToken ct) =>
        (await service.RevokeAsync(caller.UserId(), id, ct)).ToHttp(_ => TypedResults.NoContent());
}
