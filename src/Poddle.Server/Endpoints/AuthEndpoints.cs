using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Poddle.Contracts;
using Poddle.Core.Accounts;
using Poddle.Server.Auth;
using Poddle.Server.Errors;
using Poddle.Server.RateLimiting;

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
            .WithDescription("When the server sends mail, a verification code is mailed to the address (see POST /api/auth/verify-email).")
            .RequireRateLimiting(RateLimitingSetup.Registration)
            .Produces<UserResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        auth.MapPost("/login", async (LoginRequest request, AccountService accounts, HttpContext http, CancellationToken ct) =>
            (await accounts.LoginAsync(request.Login ?? request.Email ?? request.Username, request.Password, ClientOf(http), ct))
                .ToHttp(signIn => signIn.Challenge is { } challenge
                    ? TypedResults.Accepted((string?)null, new TwoFactorChallengeResponse(challenge.Challenge, challenge.ExpiresAt))
                    : TypedResults.Ok(signIn.Tokens!.ToResponse())))
            .WithSummary("Sign in with email or username and password")
            .WithDescription("200 with tokens; 202 with a challenge when the account has two-factor sign-in (finish with POST /api/auth/login/two-factor); 403 account-disabled.")
            .Produces<TokenResponse>()
            .Produces<TwoFactorChallengeResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        auth.MapPost("/login/two-factor", async (TwoFactorLoginRequest request, AccountService accounts, HttpContext http, CancellationToken ct) =>
            (await accounts.CompleteTwoFactorSignInAsync(request.Challenge, request.Code, request.RecoveryCode, ClientOf(http), ct))
                .ToHttp(tokens => TypedResults.Ok(tokens.ToResponse())))
            .WithSummary("Finish a two-factor sign-in: the challenge from /login and a code (or a recovery code)")
            .Produces<TokenResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
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
