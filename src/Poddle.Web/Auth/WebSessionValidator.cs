using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Poddle.Core.Accounts;

namespace Poddle.Web.Auth;

/// <summary>
/// Turns the sign-in cookie (which names only a user and a session) into the full principal, while the session stands.
/// A session confirmed in the database is trusted for <see cref="WebOptions.SessionCheckInterval"/>, so a page's many
/// requests (assets, the circuit) cost one query; revoking a session (the API, `poddle sessions revoke`, the account
/// page) therefore ends the browser's sign-in within that interval, and at once where this server revoked it
/// (<see cref="Forget"/>). The role is read from the database too, so an admin's role change applies as quickly.
/// </summary>
public sealed class WebSessionValidator(IOptions<WebOptions> options, TimeProvider clock)
{
    /// <summary>Beyond this many cached sessions, entries past their interval are dropped before a new one is added.</summary>
    private const int PruneAbove = 10_000;

    private readonly ConcurrentDictionary<Guid, Confirmed> _confirmed = new();

    /// <summary>The principal of a cookie's session, or null when the session has ended (or the cookie names no session).</summary>
    public async Task<ClaimsPrincipal?> ValidateAsync(ClaimsPrincipal cookie, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (cookie.SessionId() is not { } sessionId || cookie.FindUserId() is not { } userId)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        if (_confirmed.TryGetValue(sessionId, out var known) && known.UserId == userId && now - known.At < options.Value.SessionCheckInterval)
        {
            return WebAuthentication.CreatePrincipal(known.UserId, known.Username, known.Role, known.Tier, sessionId);
        }

        var user = await services.GetRequiredService<AccountService>().TouchSessionAsync(sessionId, cancellationToken);
        if (user is null || user.Id != userId)
        {
            Forget(sessionId);
            return null;
        }

        if (_confirmed.Count > PruneAbove)
        {
            foreach (var (id, entry) in _confirmed)
            {
                if (now - entry.At >= options.Value.SessionCheckInterval)
                {
                    _confirmed.TryRemove(id, out _);
                }
            }
        }

        _confirmed[sessionId] = new Confirmed(user.Id, user.Username, user.Role, user.Tier, now);
        return WebAuthentication.CreatePrincipal(user.Id, user.Username, user.Role, user.Tier, sessionId);
    }

    /// <summary>Drops what is known of a session, so the next request asks the database (after a revoke here).</summary>
    public void Forget(Guid sessionId) => _confirmed.TryRemove(sessionId, out _);

    private sealed record Confirmed(Guid UserId, string Username, UserRole Role, UserTier Tier, DateTimeOffset At);
}
