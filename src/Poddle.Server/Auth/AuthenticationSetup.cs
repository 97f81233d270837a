using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Poddle.Core.Accounts;
using Poddle.Core.Agents;
using Poddle.Core.Common;
using Poddle.Server.Errors;
using Poddle.Web.Auth;

namespace Poddle.Server.Auth;

/// <summary>
/// One bearer header, two kinds of token: "pdl_..." API tokens go to <see cref="ApiTokenAuthenticationHandler"/>,
/// everything else is a JWT access token. A JWT is accepted only while its session stands, so signing out or
/// revoking a session takes effect at once rather than when the token expires. Pod agent tokens ("pagent_...") are
/// refused by the default scheme; only endpoints with <see cref="AgentPolicy"/> accept them. The web app's paths (not
/// /api) go to the browser's sign-in cookie instead (<see cref="WebAuthentication"/>): a cookie never authenticates an
/// API request, so the API needs no CSRF defence.
/// </summary>
internal static class AuthenticationSetup
{
    public const string Scheme = "poddle";
    public const string AdminPolicy = "admin";
    public const string AgentPolicy = "agent";

    /// <summary>RunPod's serverless API (/v2/...): the owner's API token as "Authorization: Bearer pdl_...", as RunPod's clients send their key.</summary>
    public const string ServerlessPolicy = "serverless";

    public static IServiceCollection AddPoddleAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "JWT or API token", options =>
            {
                // Challenge and forbid follow the same choice: the web app's redirect to /signin, the API's problem answers
                // (the API-token schemes forward theirs to the JWT scheme).
                options.ForwardDefaultSelector = context =>
                {
                    if (WebAuthentication.IsWebRequest(context.Request))
                    {
                        return WebAuthentication.Scheme;
                    }

                    var header = context.Request.Headers.Authorization.ToString();
                    return header.StartsWith("Bearer " + SecretTokens.ApiTokenPrefix, StringComparison.OrdinalIgnoreCase)
                        ? ApiTokenAuthenticationHandler.SchemeName
                        : header.StartsWith("Bearer " + AgentTokens.Prefix, StringComparison.OrdinalIgnoreCase)
                            ? AgentTokenAuthenticationHandler.RefusedSchemeName
                            : JwtBearerDefaults.AuthenticationScheme;
                };
            })
            .AddJwtBearer(options =>
            {
                options.MapInboundClaims = false;
                options.Events = new JwtBearerEvents
                {
                    OnTokenValidated = async context =>
                    {
                        var sessionId = context.Principal?.SessionId();
                        var accounts = context.HttpContext.RequestServices.GetRequiredService<AccountService>();
                        if (sessionId is null || !await accounts.IsSessionActiveAsync(sessionId.Value, context.HttpContext.RequestAborted))
                        {
                            context.Fail("The session of this access token has ended.");
                        }
                    },
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        context.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
                        var hasCredentials = context.Request.Headers.Authorization.Count > 0;
                        await Problems.WriteAsync(context.HttpContext, Problems.Create(
                            StatusCodes.Status401Unauthorized,
                            hasCredentials ? HttpErrorCodes.InvalidToken : HttpErrorCodes.Unauthenticated,
                            "Unauthorized",
                            hasCredentials
                                ? "The token is invalid, expired or revoked. Sign in again (poddle login)."
                                : "Send 'Authorization: Bearer <token>' (sign in with POST /api/auth/login or use an API token)."));
                    },
                    OnForbidden = async context =>
                    {
                        await Problems.WriteAsync(context.HttpContext, Problems.Create(
                            StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "Forbidden", "Your role does not allow this."));
                    },
                };
            })
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, AnswerAsJwt)
            .AddScheme<AgentTokenAuthenticationOptions, AgentTokenAuthenticationHandler>(AgentTokenAuthenticationHandler.SchemeName, null)
            .AddScheme<AgentTokenAuthenticationOptions, AgentTokenAuthenticationHandler>(AgentTokenAuthenticationHandler.RefusedSchemeName, o =>
            {
                o.Accept = false;
                AnswerAsJwt(o);
            })
            .AddPoddleWebCookie();

        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<AccessTokenIssuer, TimeProvider>((options, issuer, clock) =>
            {
                options.TokenValidationParameters = issuer.ValidationParameters();
                options.TimeProvider = clock;
            });

        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin))
            .AddPolicy(AgentPolicy, policy => policy.AddAuthenticationSchemes(AgentTokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser())
            .AddPolicy(ServerlessPolicy, policy => policy.AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser());
        return services;
    }

    /// <summary>A bearer scheme's 401 and 403 are the JWT scheme's problem answers.</summary>
    private static void AnswerAsJwt(AuthenticationSchemeOptions options)
    {
        options.ForwardChallenge = JwtBearerDefaults.AuthenticationScheme;
        options.ForwardForbid = JwtBearerDefaults.AuthenticationScheme;
    }
}
