using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
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

        auth.MapPost("/register", Register)
            .WithSummary("Create an account")
            .WithDescription("When the server sends mail, a verification code is mailed to the address (see POST /api/auth/verify-email).")
            .RequireRateLimiting(RateLimitingSetup.Registration)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        auth.MapPost("/login", Login)
            .WithSummary("Sign in with email or username and password")
            .WithDescription("200 with tokens; 202 with a challenge when the account has two-factor sign-in (finish with POST /api/auth/login/two-factor); 403 account-disabled.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        auth.MapPost("/login/two-factor", LoginTwoFactor)
            .WithSummary("Finish a two-factor sign-in: the challenge from /login and a code (or a recovery code)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        auth.MapPost("/refresh", Refresh)
            .WithSummary("Exchange a refresh token for a new pair (the old one is spent; reusing it revokes the session)")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        auth.MapPost("/logout", Logout)
            .RequireAuthorization()
            .WithSummary("End the current session (its refresh and access tokens stop working)");

        auth.MapGet("/me", GetMe).RequireAuthorization().WithSummary("The signed-in user");
        return app;
    }

    private static async Task<Results<Created<UserResponse>, ProblemResult>> Register(RegisterRequest request, AccountService accounts, CancellationToken ct) =>
        (await accounts.RegisterAsync(new NewUser(request.Email, request.Username, request.Password, request.DisplayName), UserRole.Member, ct))
            .ToHttp(user => TypedResults.Created("/api/users/me", user.ToResponse()));

    private static async Task<Results<Ok<TokenResponse>, ProblemResult>> LoginTwoFactor(TwoFactorLoginRequest request, AccountService accounts, HttpContext http, CancellationToken ct) =>
        (await accounts.CompleteTwoFactorSignInAsync(request.Challenge, request.Code, request.RecoveryCode, ClientOf(http), ct))
            .ToHttp(tokens => TypedResults.Ok(tokens.ToResponse()));

    private static async Task<Results<Ok<TokenResponse>, ProblemResult>> Refresh(RefreshRequest request, AccountService accounts, CancellationToken ct) =>
        (await accounts.RefreshAsync(request.RefreshToken, ct)).ToHttp(tokens => TypedResults.Ok(tokens.ToResponse()));

    private static async Task<Results<Ok<TokenResponse>, Accepted<TwoFactorChallengeResponse>, ProblemResult>> Login(
        LoginRequest request, AccountService accounts, HttpContext http, CancellationToken ct)
    {
        var signedIn = await accounts.LoginAsync(request.Login ?? request.Email ?? request.Username, request.Password, ClientOf(http), ct);
        if (!signedIn.IsSuccess)
        {
            return Problems.ToResult(signedIn.Error);
        }

        return signedIn.Value.Challenge is { } challenge
            ? TypedResults.Accepted((string?)null, new TwoFactorChallengeResponse(challenge.Challenge, challenge.ExpiresAt))
            : TypedResults.Ok(signedIn.Value.Tokens!.ToResponse());
    }

    private static async Task<NoContent> Logout(ClaimsPrincipal caller, AccountService accounts, CancellationToken ct)
    {
        if (caller.SessionId() is { } sessionId)
        {
            await accounts.LogoutAsync(sessionId, ct);
        }

        return TypedResults.NoContent();
    }

    /// <summary>GET /api/auth/me and GET /api/users/me, one handler under two names.</summary>
    internal static async Task<Results<Ok<UserResponse>, ProblemResult>> GetMe(ClaimsPrincipal caller, AccountService accounts, CancellationToken ct) =>
        await accounts.FindUserAsync(caller.UserId(), ct) is { } user
            ? TypedResults.Ok(user.ToResponse())
            : Problems.ToResult(Core.Common.Error.NotFound("User"));

    internal static ClientInfo ClientOf(HttpContext http) =>
        new(http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua : null);
}
