using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Poddle.Core.Alerts;

public static class AlertsServiceCollectionExtensions
{
    /// <summary>The alert notifier features raise incidents through (log lines unless a richer one is registered first).</summary>
    public static IServiceCollection AddPoddleAlerts(this IServiceCollection services)
    {
        services.TryAddSingleton<IAlertNotifier, LogAlertNotifier>();
        return services;
    }
}
