using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Poddle.Core.Accounts;
using Poddle.Core.Classes;

namespace Poddle.Web.Auth;

/// <summary>
/// The signed-in user as every page reads it. The web app's principal carries the same claims as the API's access
/// token (<c>sub</c>, <see cref="AccessTokenIssuer.SessionClaim"/>, <see cref="AccessTokenIssuer.RoleClaim"/>), so these
/// read a principal of either kind.
/// </summary>
public static class WebUser
{
    public static bool IsSignedIn(this ClaimsPrincipal principal) => principal.Identity?.IsAuthenticated == true;

    /// <summary>The user's id; only for a signed-in principal (pages behind <c>[Authorize]</c>).</summary>
    public static Guid UserId(this ClaimsPrincipal principal) =>
        FindUserId(principal) ?? throw new InvalidOperationException("No subject claim: the principal is not signed in.");

    /// <summary>The user's id, or null for a visitor who is not signed in.</summary>
    public static Guid? FindUserId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(JwtRegisteredClaimNames.Sub), out var id) ? id : null;

    /// <summary>The session the browser signed in with; null when not signed in.</summary>
    public static Guid? SessionId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(AccessTokenIssuer.SessionClaim), out var id) ? id : null;

    /// <summary>The role's wire name (<see cref="Roles"/>), or null when not signed in.</summary>
    public static string? Role(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(AccessTokenIssuer.RoleClaim)
        ?? new[] { Roles.Admin, Roles.Teacher, Roles.Student, Roles.Member }.FirstOrDefault(principal.IsInRole); // an identity whose role claim has another type

    /// <summary>The role as Core's services take it (<see cref="ClassCaller"/>, <see cref="Poddle.Core.Curriculum.CurriculumCaller"/>); a member when unknown.</summary>
    public static UserRole RoleOf(this ClaimsPrincipal principal) =>
        Enum.TryParse<UserRole>(principal.Role(), ignoreCase: true, out var role) ? role : UserRole.Member;

    public static string? Username(this ClaimsPrincipal principal) => principal.FindFirstValue(JwtRegisteredClaimNames.PreferredUsername);

    public static bool IsAdmin(this ClaimsPrincipal principal) => principal.Role() == Roles.Admin;

    /// <summary>Teachers and admins: both may run classes and write problems, as the API allows.</summary>
    public static bool IsTeacher(this ClaimsPrincipal principal) => principal.Role() is Roles.Teacher or Roles.Admin;

    /// <summary>Everyone signed in who does not teach (students and members) learns.</summary>
    public static bool IsLearner(this ClaimsPrincipal principal) => principal.IsSignedIn() && !principal.IsTeacher();
}
