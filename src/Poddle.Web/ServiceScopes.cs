using Microsoft.Extensions.DependencyInjection;

namespace Poddle.Web;

/// <summary>
/// Runs one use case in a DI scope of its own. A circuit's scope lives as long as the browser tab, and Core's services
/// share that scope's DbContext, which must not be used by two operations at once (a draft saved while a Run waits):
/// so each operation of a page gets a fresh scope, as each API request does.
/// </summary>
internal static class ServiceScopes
{
    public static async Task<TResult> InScopeAsync<TService, TResult>(this IServiceScopeFactory scopes, Func<TService, Task<TResult>> action)
        where TService : notnull
    {
        ArgumentNullException.ThrowIfNull(scopes);
        ArgumentNullException.ThrowIfNull(action);
        await using var scope = scopes.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }
}
