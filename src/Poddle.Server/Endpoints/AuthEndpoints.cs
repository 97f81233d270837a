using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Poddle.Contracts;
using Poddle.Core.Accounts;
using Poddle.Server.Auth;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

internal static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Auth");

        auth.MapPost("/register", async (RegisterRequest request, AccountService accounts, CancellationToken ct) =>
            (await accounts.RegisterAsync(new NewUser(request.Email, request.Username, request.Password, request.DisplayName), UserRole.Member, ct))
                .ToHttp(user => TypedResults.Created("/api/users/me", user.ToResponse())))
            .WithSummary("Create an account")
            .Produces<UserResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

        auth.MapPost("/login", async (LoginRequest request, AccountService accounts, HttpContext http, CancellationToken ct) =>
            (await accounts.LoginAsync(request.Login ?? request.Email ?? request.Username, request.Password, ClientOf(http), ct))
                .ToHttp(tokens => TypedResults.Ok(tokens.ToResponse())))
            .WithSummary("Sign in with email or username and password")
            .Produces<TokenResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        auth.MapPost("/refresh", async (RefreshRequest request, AccountService accounts, CancellationToken ct) =>
            (await accounts.RefreshAsync(request.RefreshToken, ct)).ToHttp(tokens => TypedResults.Ok(tokens.ToResponse())))
            .WithSummary("Exchange a refresh token for a new pair (the old one is spent; reusing it revokes the session)")
            .Produces<TokenResponse>()
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        auth.MapPost("/logout", async (ClaimsPrincipal caller, AccountService accounts, CancellationToken ct) =>
            {
                if (caller.SessionId() is { } sessionId)
                {
                    await accounts.LogoutAsync(sessionId, ct);
                }

                return TypedResults.NoContent();
            })
            .RequireAuthorization()
            .WithSummary("End the current session (its refresh and access tokens stop working)");

        auth.MapGet("/me", GetMe).RequireAuthorization().WithSummary("The signed-in user").Produces<UserResponse>();
        return app;
    }

    internal static async Task<IResult> GetMe(ClaimsPrincipal caller, AccountService accounts, CancellationToken ct) =>
        await accounts.FindUserAsync(caller.UserId(), ct) is { } user
            ? TypedResults.Ok(user.ToResponse())
            : Problems.ToResult(Core.Common.Error.NotFound("User"));

    internal static ClientInfo ClientOf(HttpContext http) =>
        new(http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua : null);
}
