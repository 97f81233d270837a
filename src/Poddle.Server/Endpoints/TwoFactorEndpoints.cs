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

/// <summary>The caller's TOTP two-factor sign-in: status, set up, confirm (turn on), turn off.</summary>
internal static class TwoFactorEndpoints
{
    public static IEndpointRouteBuilder MapTwoFactorEndpoints(this IEndpointRouteBuilder app)
    {
        var twoFactor = app.MapGroup("/api/users/me/two-factor").WithTags("Users").RequireAuthorization();

        twoFactor.MapGet("/", GetTwoFactorStatus)
            .WithSummary("Whether two-factor sign-in is on, pending confirmation, and how many recovery codes are left");

        twoFactor.MapPost("/setup", SetUpTwoFactor)
            .WithSummary("Start setting up two-factor sign-in: a new key for an authenticator app (needs the password)")
            .WithDescription("The key takes effect only once a code from it is confirmed with POST /api/users/me/two-factor/enable.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        twoFactor.MapPost("/enable", EnableTwoFactor)
            .WithSummary("Turn two-factor sign-in on with a code from the new key; returns 10 recovery codes, shown once")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        twoFactor.MapPost("/disable", DisableTwoFactor)
            .WithSummary("Turn two-factor sign-in off (needs the password and a code or a recovery code)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        return app;
    }

    private static async Task<Results<Ok<TwoFactorStatusResponse>, ProblemResult>> GetTwoFactorStatus(ClaimsPrincipal caller, TwoFactorService service, CancellationToken ct) =>
        (await service.StatusAsync(caller.UserId(), ct)).ToHttp(s => TypedResults.Ok(new TwoFactorStatusResponse(s.Enabled, s.Pending, s.RecoveryCodesLeft)));

    private static async Task<Results<Ok<TwoFactorSetupResponse>, ProblemResult>> SetUpTwoFactor(TwoFactorSetupRequest request, ClaimsPrincipal caller, TwoFactorService service, CancellationToken ct) =>
        (await service.SetUpAsync(caller.UserId(), request.Password, ct))
            .ToHttp(setup => TypedResults.Ok(new TwoFactorSetupResponse(setup.Secret, setup.OtpauthUri, TwoFactorService.Digits, TwoFactorService.PeriodSeconds)));

    private static async Task<Results<Ok<RecoveryCodesResponse>, ProblemResult>> EnableTwoFactor(TwoFactorEnableRequest request, ClaimsPrincipal caller, TwoFactorService service, CancellationToken ct) =>
        (await service.EnableAsync(caller.UserId(), request.Code, ct)).ToHttp(codes => TypedResults.Ok(new RecoveryCodesResponse(codes)));

    private static async Task<Results<NoContent, ProblemResult>> DisableTwoFactor(TwoFactorDisableRequest request, ClaimsPrincipal caller, TwoFactorService service, CancellationToken ct) =>
        (await service.DisableAsync(caller.UserId(), request.Password, request.Code, request.RecoveryCode, ct)).ToHttp(_ => TypedResults.NoContent());
}
