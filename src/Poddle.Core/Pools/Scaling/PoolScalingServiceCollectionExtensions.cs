using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Poddle.Core.Pools.Scaling;

/// <summary>Registers the pool scaler's services: the engines (one per pool) and the pool metrics.</summary>
public static class PoolScalingServiceCollectionExtensions
{
    public static IServiceCollection AddPoddlePoolScaling(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ScalingEngines>();
        services.TryAddSingleton<PoolMetrics>();
        return services;
    }
}
