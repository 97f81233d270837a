using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Poddle.Core.Accounts;
using Poddle.Server.Errors;

namespace Poddle.Server.Auth;

/// <summary>
/// Holds back an account whose address is not verified, where the server requires verification (Email:RequireVerification
/// with an SMTP server): 403 <c>email-not-verified</c>. Put on the endpoints that create or change deployments.
/// </summary>
internal sealed class VerifiedEmailFilter(EmailVerificationService verification) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var caller = context.HttpContext.User;
        if (caller.Identity?.IsAuthenticated == true
            && await verification.CheckMayDeployAsync(caller.UserId(), context.HttpContext.RequestAborted) is { } refused)
        {
            return Problems.ToResult(refused);
        }

        return await next(context);
    }
}

/// <summary><c>.RequireVerifiedEmail()</c> on an endpoint.</summary>
internal static class VerifiedEmailFilterExtensions
{
    public static TBuilder RequireVerifiedEmail<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, VerifiedEmailFilter>();
}
