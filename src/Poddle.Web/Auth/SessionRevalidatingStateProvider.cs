using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Poddle.Web.Auth;

/// <summary>
/// An open circuit has no requests to check the cookie on, so it checks its session every
/// <see cref="WebOptions.CircuitRevalidationInterval"/>: a revoked session signs the circuit out (the page falls back to
/// the sign-in redirect). The one timer in the web app: there is no event to await for a revoke made on another server.
/// </summary>
internal sealed class SessionRevalidatingStateProvider(
    ILoggerFactory loggerFactory,
    IServiceScopeFactory scopes,
    WebSessionValidator validator,
    IOptions<WebOptions> options) : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => options.Value.CircuitRevalidationInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await validator.ValidateAsync(authenticationState.User, scope.ServiceProvider, cancellationToken) is not null;
    }
}
