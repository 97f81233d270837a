using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Poddle.Core.Accounts;

namespace Poddle.Server.Auth;

/// <summary>Reads the authenticated caller from the principal built by either authentication scheme.</summary>
public static class CallerExtensions
{
    public static Guid UserId(this ClaimsPrincipal principal) =>
        Guid.Parse(principal.FindFirstValue(JwtRegisteredClaimNames.Sub) ?? throw new InvalidOperationException("No subject claim on an authenticated principal."));

    /// <summary>The session behind a JWT; null for API tokens, which have no session.</summary>
    public static Guid? SessionId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(AccessTokenIssuer.SessionClaim), out var id) ? id : null;
}
