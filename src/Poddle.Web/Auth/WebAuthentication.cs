using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Poddle.Core.Accounts;
using Poddle.Core.Common;

namespace Poddle.Web.Auth;

/// <summary>
/// The browser's sign-in: a cookie over the same accounts and sessions as the API. Signing in through the web app
/// starts a real session (<see cref="AccountService.LoginAsync"/>), listed with the API's sessions and revocable the
/// same way; the cookie (data-protected by ASP.NET Core) holds only the user id and that session id, and
/// <see cref="WebSessionValidator"/> rebuilds the principal — with the API token's claims — while the session stands.
/// The scheme serves the web app's paths only: the server's policy scheme never forwards an /api request here, so
/// the API stays bearer-only and free of CSRF.
/// </summary>
public static class WebAuthentication
{
    public const string Scheme = "poddle-web";
    public const string CookieName = ".poddle.session";

    /// <summary>The paths that are not the web app's: the API, its reference and the operators' endpoints.</summary>
    private static readonly PathString[] NotWebPaths = ["/api", "/v2", "/docs", "/openapi", "/metrics", "/healthz", "/readyz"];

    /// <summary>True for the web app's requests (pages, assets, the circuit); false for the API and operators' endpoints.</summary>
    public static bool IsWebRequest(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return !NotWebPaths.Any(p => request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Adds the cookie scheme, its session check and the circuit's revalidating authentication state.</summary>
    public static AuthenticationBuilder AddPoddleWebCookie(this AuthenticationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<WebOptions, WebOptionsValidator>(WebOptions.SectionName);
        builder.Services.AddSingleton<WebSessionValidator>();
        builder.Services.AddScoped<AuthenticationStateProvider, SessionRevalidatingStateProvider>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, PageForbiddenResultHandler>();
        builder.AddCookie(Scheme, options =>
        {
            options.Cookie.Name = CookieName;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.LoginPath = WebPaths.SignIn;
            options.LogoutPath = WebPaths.SignOut;
            options.AccessDeniedPath = WebPaths.Home;
            options.ReturnUrlParameter = ReturnUrls.Parameter;
            options.SlidingExpiration = true;
            options.Events.OnValidatePrincipal = async context =>
            {
                var validator = context.HttpContext.RequestServices.GetRequiredService<WebSessionValidator>();
                if (await validator.ValidateAsync(context.Principal!, context.HttpContext.RequestServices, context.HttpContext.RequestAborted) is { } principal)
                {
                    context.ReplacePrincipal(principal);
                }
                else
                {
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(Scheme);
                }
            };
        });

        // The cookie lives as long as a session may (sliding): the session's own expiry still ends it first.
        builder.Services.AddOptions<CookieAuthenticationOptions>(Scheme)
            .Configure<IOptions<AuthOptions>, TimeProvider>((options, auth, clock) =>
            {
                options.ExpireTimeSpan = auth.Value.RefreshTokenLifetime;
                options.TimeProvider = clock;
            });
        return builder;
    }

    /// <summary>What the cookie holds: the user and the session, nothing else.</summary>
    public static ClaimsPrincipal CookiePrincipal(Guid userId, Guid sessionId) => new(new ClaimsIdentity(
        [
            new Claim(JwtRegisteredClaimNames.Sub, userId.ToString()),
            new Claim(AccessTokenIssuer.SessionClaim, sessionId.ToString()),
        ],
        Scheme));

    /// <summary>The principal of a signed-in browser: the claims of the API's access token (<see cref="AccessTokenIssuer.Issue"/>).</summary>
    public static ClaimsPrincipal CreatePrincipal(Guid userId, string username, UserRole role, UserTier tier, Guid sessionId) => new(new ClaimsIdentity(
        [
            new Claim(JwtRegisteredClaimNames.Sub, userId.ToString()),
            new Claim(JwtRegisteredClaimNames.PreferredUsername, username),
            new Claim(AccessTokenIssuer.SessionClaim, sessionId.ToString()),
            new Claim(AccessTokenIssuer.RoleClaim, Roles.NameOf(role)),
            new Claim(AccessTokenIssuer.TierClaim, tier.ToString().ToLowerInvariant()),
        ],
        Scheme,
        JwtRegisteredClaimNames.PreferredUsername,
        AccessTokenIssuer.RoleClaim));

    /// <summary>Sets the cookie for a session <see cref="AccountService"/> started; it lasts as long as the session may.</summary>
    public static Task SignInAsync(HttpContext http, AuthTokens session)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(session);
        return http.SignInAsync(Scheme, CookiePrincipal(session.User.Id, session.SessionId), new AuthenticationProperties { IsPersistent = true });
    }

    /// <summary>Where a browser's sign-in comes from, as the API's login records it.</summary>
    public static ClientInfo ClientOf(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return new(http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua : null);
    }
}
