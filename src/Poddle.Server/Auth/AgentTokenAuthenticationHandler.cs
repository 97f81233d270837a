using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Poddle.Core.Agents;
using Poddle.Server.Errors;

namespace Poddle.Server.Auth;

/// <summary>Options of <see cref="AgentTokenAuthenticationHandler"/>.</summary>
internal sealed class AgentTokenAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>False for the scheme every other endpoint sees agent tokens through: it refuses them without a lookup.</summary>
    public bool Accept { get; set; } = true;
}

/// <summary>
/// Authenticates "Authorization: Bearer pagent_..." pod agent tokens (issued per pod, PODDLE_AGENT_TOKEN) against their
/// stored hashes. Only POST /api/agents/heartbeat uses this scheme (<see cref="AuthenticationSetup.AgentPolicy"/>); the
/// default scheme forwards agent tokens to <see cref="RefusedSchemeName"/>, so on every other endpoint they are a 401,
/// and a user's JWT or API token is a 401 at the heartbeat (this handler does not know them). The principal names the
/// replica, never a user. Failures never echo the token.
/// </summary>
internal sealed class AgentTokenAuthenticationHandler(
    IOptionsMonitor<AgentTokenAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder)
    : AuthenticationHandler<AgentTokenAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeName = "AgentToken";
    public const string RefusedSchemeName = "AgentTokenRefused";
    public const string ReplicaIdClaim = "replica_id";
    public const string DeploymentIdClaim = "deployment_id";
    public const string TokenHashClaim = "agent_token_hash";

    /// <summary>The pod a principal of this scheme speaks for.</summary>
    public static AgentIdentity IdentityOf(ClaimsPrincipal principal) => new(
        Guid.Parse(principal.FindFirstValue(ReplicaIdClaim) ?? throw new InvalidOperationException("No replica claim on an agent principal.")),
        Guid.Parse(principal.FindFirstValue(DeploymentIdClaim)!),
        principal.FindFirstValue(TokenHashClaim)!);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var token = header["Bearer ".Length..].Trim();
        if (!AgentTokens.LooksLikeAgentToken(token))
        {
            return AuthenticateResult.Fail("Only a pod agent token is accepted here.");
        }

        if (!Options.Accept)
        {
            return AuthenticateResult.Fail("Agent tokens are accepted only by POST /api/agents/heartbeat.");
        }

        var agents = Context.RequestServices.GetRequiredService<AgentHeartbeatService>();
        var identity = await agents.AuthenticateAsync(token, Context.RequestAborted);
        if (identity is null)
        {
            return AuthenticateResult.Fail("The agent token is unknown, replaced by a newer pod's, or its replica is gone.");
        }

        var claims = new ClaimsIdentity(
        [
            new Claim(ReplicaIdClaim, identity.ReplicaId.ToString()),
            new Claim(DeploymentIdClaim, identity.DeploymentId.ToString()),
            new Claim(TokenHashClaim, identity.TokenHash),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(claims), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        var hasCredentials = Request.Headers.Authorization.Count > 0;
        await Problems.WriteAsync(Context, Problems.Create(
            StatusCodes.Status401Unauthorized,
            hasCredentials ? HttpErrorCodes.InvalidToken : HttpErrorCodes.Unauthenticated,
            "Unauthorized",
            hasCredentials
                ? "Only a live pod's agent token (PODDLE_AGENT_TOKEN) is accepted here; a stopped or restarted pod's token no longer is."
                : "Send 'Authorization: Bearer <PODDLE_AGENT_TOKEN>'."));
    }
}
