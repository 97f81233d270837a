using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Poddle.Core.Accounts;

/// <summary>The key that signs and validates access tokens, resolved once at start (configured, or kept in the data directory).</summary>
public sealed record AccessTokenSigningKey(byte[] Key)
{
    public SymmetricSecurityKey SecurityKey { get; } = new(Key) { KeyId = "poddle-1" };
}

/// <summary>Issues short-lived JWT access tokens (HMAC-SHA256) that name the user, role, tier and session.</summary>
public sealed class AccessTokenIssuer(IOptions<AuthOptions> options, AccessTokenSigningKey signingKey, TimeProvider clock)
{
    public const string SessionClaim = "sid";
    public const string RoleClaim = "role";
    public const string TierClaim = "tier";

    public (string Token, DateTimeOffset ExpiresAt) Issue(User user, Guid sessionId)
    {
        var now = clock.GetUtcNow();
        var expires = now + options.Value.AccessTokenLifetime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = options.Value.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(signingKey.SecurityKey, SecurityAlgorithms.HmacSha256),
            Subject = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, user.Id.ToString()),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
                new Claim(JwtRegisteredClaimNames.PreferredUsername, user.Username),
                new Claim(SessionClaim, sessionId.ToString()),
                new Claim(RoleClaim, Roles.NameOf(user.Role)),
                new Claim(TierClaim, user.Tier.ToString().ToLowerInvariant()),
            ]),
        };
        return (new JsonWebTokenHandler().CreateToken(descriptor), expires);
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = options.Value.Issuer,
        ValidAudience = options.Value.Audience,
        IssuerSigningKey = signingKey.SecurityKey,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ClockSkew = TimeSpan.FromSeconds(30),

        // Expiry is judged by the clock that issued the token (the server's TimeProvider), not straight by the machine
        // clock, so issuing and checking can never disagree and tests can move time.
        LifetimeValidator = (notBefore, expires, _, parameters) =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            return expires is { } end && end > now - parameters.ClockSkew
                && (notBefore is not { } start || start <= now + parameters.ClockSkew);
        },
        NameClaimType = JwtRegisteredClaimNames.PreferredUsername,
        RoleClaimType = RoleClaim,
    };
}
