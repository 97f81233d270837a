using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;

namespace Poddle.Web.Auth;

/// <summary>
/// A signed-in person at a web page their role may not open (a learner at /teach/..., a teacher at /admin/...) is not
/// sent away: the request goes on to the page, whose router checks the same [Authorize] again and shows "not found" with
/// HTTP 404 in the normal layout (Components/NotFound.razor), as the API answers 404 for what is not the caller's. The
/// page's component is never rendered for them. Everything else — a visitor who is not signed in (sign in first), and
/// every endpoint that is not a page — keeps ASP.NET Core's answer.
/// </summary>
internal sealed class PageForbiddenResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        return authorizeResult.Forbidden && context.GetEndpoint()?.Metadata.GetMetadata<ComponentTypeMetadata>() is not null
            ? next(context)
            : _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
