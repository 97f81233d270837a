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

/// <summary>Password reset and email verification by mailed codes (docs/security.md, "Email"). Rate-limited per client IP.</summary>
internal static class AccountRecoveryEndpoints
{
    public const string ResetRequestedMessage =
        "If an account has this address, a reset code was mailed to it. It works once, for a limited time.";

    public static IEndpointRouteBuilder MapAccountRecoveryEndpoints(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Auth").RequireRateLimiting(RateLimitingSetup.PasswordReset);

        auth.MapPost("/password-reset", RequestPasswordReset)
            .WithSummary("Mail a password reset code (the answer is the same whether or not an account has the address)")
            .WithDescription("503 email-not-configured when the server sends no mail.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        auth.MapPost("/password-reset/confirm", ConfirmPasswordReset)
            .WithSummary("Set a new password with the mailed code (every session of the account ends)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        auth.MapPost("/verify-email", VerifyEmail)
            .WithSummary("Verify the account's address with the mailed code")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        app.MapPost("/api/users/me/verify-email", ResendVerificationEmail)
            .RequireAuthorization()
            .RequireRateLimiting(RateLimitingSetup.PasswordReset)
            .WithTags("Users")
            .WithSummary("Mail a new verification code to your address")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return app;
    }

    private static async Task<Results<Accepted<AcceptedResponse>, ProblemResult>> RequestPasswordReset(PasswordResetRequest request, PasswordResetService resets, CancellationToken ct) =>
        (await resets.RequestAsync(request.Email, ct)).ToHttp(_ => TypedResults.Accepted((string?)null, new AcceptedResponse(ResetRequestedMessage)));

    private static async Task<Results<NoContent, ProblemResult>> ConfirmPasswordReset(PasswordResetConfirmRequest request, PasswordResetService resets, CancellationToken ct) =>
        (await resets.ConfirmAsync(request.Token, request.NewPassword, ct)).ToHttp(_ => TypedResults.NoContent());

    private static async Task<Results<Ok<UserResponse>, ProblemResult>> VerifyEmail(VerifyEmailRequest request, EmailVerificationService verification, CancellationToken ct) =>
        (await verification.ConfirmAsync(request.Token, ct)).ToHttp(user => TypedResults.Ok(user.ToResponse()));

    private static async Task<Results<Accepted<AcceptedResponse>, ProblemResult>> ResendVerificationEmail(ClaimsPrincipal caller, EmailVerificationService verification, CancellationToken ct) =>
        (await verification.ResendAsync(caller.UserId(), ct))
            .ToHttp(_ => TypedResults.Accepted((string?)null, new AcceptedResponse("A new verification code was mailed to your address.")));
}
