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

internal static class UserEndpoints
{
    public static IEndpointRouteBuilder MapUserEndpoints(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/users/me").WithTags("Users").RequireAuthorization();

        me.MapGet("/", AuthEndpoints.GetMe).WithSummary("The signed-in user");

        me.MapPatch("/", UpdateMe)
            .WithSummary("Change display name, email, password (email and password need currentPassword) or preferred language")
            .ProducesValidationProblem();

        me.MapGet("/sessions", ListSessions)
            .WithSummary("Signed-in devices");

        me.MapDelete("/sessions/{id:guid}", RevokeSession)
            .WithSummary("Sign a device out")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Ok<UserResponse>, ProblemResult>> UpdateMe(UpdateUserRequest request, ClaimsPrincipal caller, AccountService accounts, CancellationToken ct) =>
        (await accounts.UpdateUserAsync(caller.UserId(), new UserChanges(request.DisplayName, request.Email, request.Password, request.CurrentPassword, caller.SessionId(), request.PreferredLanguage), ct))
            .ToHttp(user => TypedResults.Ok(user.ToResponse()));

    private static async Task<Ok<IReadOnlyList<SessionResponse>>> ListSessions(ClaimsPrincipal caller, AccountService accounts, CancellationToken ct)
    {
        var current = caller.SessionId();
        var sessions = await accounts.ListSessionsAsync(caller.UserId(), ct);
        return TypedResults.Ok<IReadOnlyList<SessionResponse>>([.. sessions.Select(s => s.ToResponse(current))]);
    }

    private static async Task<Results<NoContent, ProblemResult>> RevokeSession(Guid id, ClaimsPrincipal caller, AccountService accounts, CancellationToken ct) =>
        (await accounts.RevokeSessionAsync(caller.UserId(), id, ct)).ToHttp(_ => TypedResults.NoContent());
}
