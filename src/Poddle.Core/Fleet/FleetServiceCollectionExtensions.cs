using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Poddle.Core.Alerts;
using Poddle.Core.Common;
using Poddle.Core.Deployments;

namespace Poddle.Core.Fleet;

public static class FleetServiceCollectionExtensions
{
    /// <summary>
    /// The fleet reconciliation (orphans, vanished pods, spend; docs/fleet.md) with its options (section "Fleet") and
    /// metrics. Needs the deployments' services (drivers, leadership) and an <see cref="IAlertNotifier"/>.
    /// </summary>
    public static IServiceCollection AddPoddleFleet(this IServiceCollection services, Action<OptionsBuilder<FleetOptions>>? configure = null)
    {
        var options = services.AddValidatedOptions<FleetOptions, FleetOptionsValidator>(FleetOptions.SectionName);
        configure?.Invoke(options);
        services.AddMetrics();
        services.AddPoddleAlerts();
        services.TryAddSingleton<PodCosts>();
        services.TryAddSingleton<FleetMetrics>();
        services.TryAddSingleton<FleetReconciler>();
        services.AddHostedService(sp => sp.GetRequiredService<FleetReconciler>());
        return services;
    }
}
