using Microsoft.Extensions.DependencyInjection;

namespace Poddle.Web.Components.Teach;

/// <summary>
/// Runs one service call in its own DI scope. A circuit lives for minutes and its events may overlap, while a
/// DbContext is neither thread-safe nor meant to live that long; a scope per call gives each its own context, as each
/// HTTP request of the API has.
/// </summary>
internal static class ServiceScopes
{
    public static async Task<TResult> WithAsync<TService, TResult>(this IServiceScopeFactory scopes, Func<TService, Task<TResult>> action)
        where TService : notnull
    {
        ArgumentNullException.ThrowIfNull(scopes);
        ArgumentNullException.ThrowIfNull(action);
        await using var scope = scopes.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }
}
