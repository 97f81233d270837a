using System.Security.Claims;
using Poddle.Core.Accounts;
using Poddle.Web.Auth;

namespace Poddle.Web.Components.Learn;

/// <summary>
/// The signed-in student as the student pages need them, read through <see cref="Auth.WebUser"/> (the same claims as
/// the API's JWT).
/// </summary>
internal static class LearnCaller
{
    public static Guid UserId(ClaimsPrincipal principal) => principal.UserId();

    public static UserRole Role(ClaimsPrincipal principal) => principal.RoleOf();
}
