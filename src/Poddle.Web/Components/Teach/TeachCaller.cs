using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Poddle.Core.Accounts;
using Poddle.Core.Classes;
using Poddle.Core.Curriculum;
using Poddle.Web.Auth;

namespace Poddle.Web.Components.Teach;

/// <summary>
/// The signed-in user as the teacher and admin pages pass them to Core's services: the same <c>sub</c> claim and role the
/// API's endpoints read (ClassEndpoints.Caller, CurriculumMappings.ToCurriculumCaller). The one place these pages read
/// claims; an absent or malformed id becomes <see cref="Guid.Empty"/>, which owns nothing.
/// </summary>
internal static class TeachCaller
{
    public static async Task<ClaimsPrincipal> PrincipalAsync(Task<AuthenticationState>? state) =>
        state is null ? new ClaimsPrincipal(new ClaimsIdentity()) : (await state).User;

    public static Guid UserId(ClaimsPrincipal principal) => principal.FindUserId() ?? Guid.Empty;

    public static UserRole Role(ClaimsPrincipal principal) => principal.RoleOf();

    public static ClassCaller ForClasses(ClaimsPrincipal principal) => new(UserId(principal), Role(principal));

    public static CurriculumCaller ForCurriculum(ClaimsPrincipal principal) => new(UserId(principal), Role(principal));
}
