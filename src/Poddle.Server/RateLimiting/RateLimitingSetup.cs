using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Poddle.Core.Common;
using Poddle.Server.Errors;
using Poddle.Web.Auth;

namespace Poddle.Server.RateLimiting;

/// <summary>
/// ASP.NET Core's rate limiter with Poddle's limits (<see cref="RateLimitOptions"/>): named policies for the anonymous
/// account endpoints (per client IP), and a global limiter for every authenticated API request, per user and per
/// client IP. It counts only user principals on /api/: a pod agent's heartbeat (agent token, no user) and anonymous
/// requests pass through; the Piston API opts out (it keeps its own per-client execution limits, Execution:RateLimit);
/// sign-in keeps its failure counter (Auth:MaxFailedLogins). Runs after authentication so it can see the user.
/// </summary>
internal static class RateLimitingSetup
{
    /// <summary>Policy of POST /api/auth/register and the web app's sign-up form.</summary>
    public const string Registration = AccountRateLimits.Registration;

    /// <summary>Policy of the password reset and email verification endpoints and the web app's password reset forms.</summary>
    public const string PasswordReset = AccountRateLimits.PasswordReset;

    /// <summary>
    /// Registers the limiter with its options (section "RateLimits", validated at start; <paramref name="configure"/> runs
    /// after the binding).
    /// </summary>
    public static IServiceCollection AddPoddleRateLimiting(this IServiceCollection services, Action<OptionsBuilder<RateLimitOptions>>? configure = null)
    {
        var options = services.AddValidatedOptions<RateLimitOptions, RateLimitOptionsValidator>(RateLimitOptions.SectionName);
        configure?.Invoke(options);
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(Registration, http => PerIp(http, Registration, o => o.Registration));
            limiter.AddPolicy(PasswordReset, http => PerIp(http, PasswordReset, o => o.PasswordReset));
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(http =>
                    UserOf(http) is { } user ? Window("user:" + user, Options(http).ApiPerUser) : RateLimitPartition.GetNoLimiter(string.Empty)),
                PartitionedRateLimiter.Create<HttpContext, string>(http =>
                    UserOf(http) is not null ? Window("ip:" + IpOf(http), Options(http).ApiPerIp) : RateLimitPartition.GetNoLimiter(string.Empty)));
            limiter.OnRejected = OnRejectedAsync;
        });
        return services;
    }

    /// <summary>The authenticated user of an API request, or null (anonymous, a pod agent, or not an API path).</summary>
    private static string? UserOf(HttpContext http) =>
        http.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal) && http.User.Identity?.IsAuthenticated == true
            ? http.User.FindFirst(JwtRegisteredClaimNames.Sub)?.Value
            : null;

    private static string IpOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static RateLimitOptions Options(HttpContext http) => http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;

    /// <summary>
    /// Counts posts only: the API's endpoints under these policies are all POSTs, and a web page that carries the policy
    /// (its form is posted to the page's own address) must not count a visitor who only opens it.
    /// </summary>
    private static RateLimitPartition<string> PerIp(HttpContext http, string policy, Func<RateLimitOptions, FixedWindowLimit> limit) =>
        HttpMethods.IsPost(http.Request.Method)
            ? Window($"{policy}:{IpOf(http)}", limit(Options(http)))
            : RateLimitPartition.GetNoLimiter(string.Empty);

    private static RateLimitPartition<string> Window(string key, FixedWindowLimit limit) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = limit.Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static async ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            http.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        // A web page's form: back to the page (a GET, never limited), which says how long to wait.
        if (WebAuthentication.IsWebRequest(http.Request))
        {
            var seconds = retryAfter > TimeSpan.Zero ? Math.Ceiling(retryAfter.TotalSeconds) : 60;
            http.Response.StatusCode = StatusCodes.Status303SeeOther;
            http.Response.Headers.Location = http.Request.Path.Value + QueryString.Create(AccountRateLimits.RetryAfterQuery, seconds.ToString(CultureInfo.InvariantCulture));
            return;
        }

        var policy = http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
        var detail = policy switch
        {
            Registration => "Too many accounts were registered from your address. Wait and try again.",
            PasswordReset => "Too many password reset or verification requests from your address. Wait and try again.",
            _ => "Too many requests. Slow down, wait for Retry-After seconds and try again.",
        };
        await Problems.WriteAsync(http, Problems.Create(StatusCodes.Status429TooManyRequests, HttpErrorCodes.TooManyRequests, Problems.TitleOf(429), detail));
    }
}
