using System.Security.Claims;
using Poddle.Core.Accounts;

namespace Poddle.Web.Components.Learn;

/// <summary>
/// The signed-in student as the student pages need them: the same claims as the API's JWT. The one place of this feature
/// that reads claims (to be replaced by the shell's <c>WebUser</c> helpers at merge).
/// </summary>
internal static class LearnCaller
{
    /// <summary>JwtRegisteredClaimNames.Sub, without a package reference for one constant.</summary>
    private const string SubjectClaim = "sub";

    public static Guid UserId(ClaimsPrincipal principal) =>
        Guid.Parse(principal.FindFirstValue(SubjectClaim) ?? throw new InvalidOperationException("No subject claim on an authenticated principal."));

    public static UserRole Role(ClaimsPrincipal principal) =>
        Enum.TryParse<UserRole>(principal.FindFirstValue(AccessTokenIssuer.RoleClaim), ignoreCase: true, out var role) ? role : UserRole.Member;
}
