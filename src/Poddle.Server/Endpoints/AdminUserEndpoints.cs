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

internal static class AdminUserEndpoints
{
    public static IEndpointRouteBuilder MapAdminUserEndpoints(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/admin/users").WithTags("Admin").RequireAuthorization(AuthenticationSetup.AdminPolicy);

        users.MapGet("/", ListUsers)
            .WithSummary("All accounts, by username; ?search= keeps those whose username, email or display name contains it (admin only)");

        users.MapPatch("/{id:guid}", ChangeUserAccess)
            .WithSummary("Change a user's role or tier (admin only)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        users.MapPost("/{id:guid}/disable", DisableUser)
            .WithSummary("Disable a user: their sessions end, their tokens stop working, sign-in is refused (admin only)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        users.MapPost("/{id:guid}/enable", EnableUser)
            .WithSummary("Enable a disabled user again (admin only)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        users.MapPost("/{id:guid}/reset-password", ResetUserPassword)
            .WithSummary("Set a user's password: the one given, or a generated one returned once; their sessions end (admin only)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Ok<UserListResponse>, ProblemResult>> ListUsers(string? search, UserAdministration admin, CancellationToken ct, int offset = 0, int limit = 50) =>
        (await admin.ListAsync(offset, limit, ct, search))
            .ToHttp(page => TypedResults.Ok(new UserListResponse([.. page.Users.Select(u => u.ToResponse())], page.Total)));

    private static async Task<Results<Ok<UserResponse>, ProblemResult>> ChangeUserAccess(Guid id, UpdateUserAccessRequest request, UserAdministration admin, CancellationToken ct) =>
        (await admin.ChangeAccessAsync(id, ToRole(request.Role), ToTier(request.Tier), ct)).ToHttp(user => TypedResults.Ok(user.ToResponse()));

    private static async Task<Results<Ok<UserResponse>, ProblemResult>> DisableUser(Guid id, ClaimsPrincipal caller, UserAdministration admin, CancellationToken ct) =>
        (await admin.DisableAsync(caller.UserId(), id, ct)).ToHttp(user => TypedResults.Ok(user.ToResponse()));

    private static async Task<Results<Ok<UserResponse>, ProblemResult>> EnableUser(Guid id, ClaimsPrincipal caller, UserAdministration admin, CancellationToken ct) =>
        (await admin.EnableAsync(caller.UserId(), id, ct)).ToHttp(user => TypedResults.Ok(user.ToResponse()));

    private static async Task<Results<Ok<AdminPasswordResetResponse>, ProblemResult>> ResetUserPassword(Guid id, AdminPasswordResetRequest? request, ClaimsPrincipal caller, UserAdministration admin, CancellationToken ct) =>
        (await admin.ResetPasswordAsync(caller.UserId(), id, request?.Password, ct)).ToHttp(generated => TypedResults.Ok(new AdminPasswordResetResponse(generated)));

    private static UserRole? ToRole(UserRoleName? role) => role switch
    {
        UserRoleName.Admin => UserRole.Admin,
        UserRoleName.Member => UserRole.Member,
        UserRoleName.Teacher => UserRole.Teacher,
        UserRoleName.Student => UserRole.Student,
        _ => null,
    };

    private static UserTier? ToTier(UserTierName? tier) => tier switch
    {
        UserTierName.Pro => UserTier.Pro,
        UserTierName.Free => UserTier.Free,
        _ => null,
    };
}
