using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
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

        users.MapGet("/", async (UserAdministration admin, CancellationToken ct, int offset = 0, int limit = 50) =>
            (await admin.ListAsync(offset, limit, ct))
                .ToHttp(page => TypedResults.Ok(new UserListResponse([.. page.Users.Select(u => u.ToResponse())], page.Total))))
            .WithSummary("All accounts, by username (admin only)")
            .Produces<UserListResponse>();

        users.MapPatch("/{id:guid}", async (Guid id, UpdateUserAccessRequest request, UserAdministration admin, CancellationToken ct) =>
            (await admin.ChangeAccessAsync(id, ToRole(request.Role), ToTier(request.Tier), ct)).ToHttp(user => TypedResults.Ok(user.ToResponse())))
            .WithSummary("Change a user's role or tier (admin only)")
            .Produces<UserResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return app;
    }

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
