using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Poddle.Core.Accounts;

namespace Poddle.Server.Auth;

/// <summary>Authenticates "Authorization: Bearer pdl_..." API tokens against their stored hashes.</summary>
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiTokenService tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";
    public const string TokenIdClaim = "token_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var identity = await tokens.ValidateAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (identity is null)
        {
            return AuthenticateResult.Fail("The API token is unknown, revoked or expired.");
        }

        var claims = new ClaimsIdentity(
        [
            new Claim(JwtRegisteredClaimNames.Sub, identity.User.Id.ToString()),
            new Claim(JwtRegisteredClaimNames.PreferredUsername, identity.User.Username),
            new Claim(AccessTokenIssuer.RoleClaim, Roles.NameOf(identity.User.Role)),
            new Claim(AccessTokenIssuer.TierClaim, identity.User.Tier.ToString().ToLowerInvariant()),
            new Claim(TokenIdClaim, identity.TokenId.ToString()),
        ], SchemeName, JwtRegisteredClaimNames.PreferredUsername, AccessTokenIssuer.RoleClaim);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(claims), SchemeName));
    }
}
