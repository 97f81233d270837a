using Poddle.Contracts;
using Poddle.Core.Accounts;
using Poddle.Core.Projects;

namespace Poddle.Server.Endpoints;

/// <summary>Domain → contract. The only place that decides what of an entity leaves the server.</summary>
internal static class Mappings
{
    public static UserResponse ToResponse(this User user) => new(
        user.Id,
        user.Email,
        user.Username,
        user.DisplayName,
        user.Role.ToString().ToLowerInvariant(),
        user.Tier.ToString().ToLowerInvariant(),
        user.CreatedAt,
        user.EmailVerifiedAt is not null,
        user.IsTwoFactorEnabled,
        user.DisabledAt is not null,
        user.PreferredLanguage);

    public static TokenResponse ToResponse(this AuthTokens tokens) =>
        new(tokens.AccessToken, tokens.RefreshToken, tokens.ExpiresAt, "Bearer", tokens.User.ToResponse());

    public static SessionResponse ToResponse(this UserSession session, Guid? currentSessionId) =>
        new(session.Id, session.CreatedAt, session.LastUsedAt, session.ExpiresAt, session.IpAddress, session.UserAgent, session.Id == currentSessionId);

    public static ApiTokenResponse ToResponse(this ApiToken token) =>
        new(token.Id, token.Name, token.Prefix, token.CreatedAt, token.ExpiresAt, token.LastUsedAt);

    public static ProjectResponse ToResponse(this Project project) =>
        new(project.Id, project.Name, project.Description, project.CreatedAt, project.UpdatedAt);
}
