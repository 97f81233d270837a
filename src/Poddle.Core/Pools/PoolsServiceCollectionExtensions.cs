using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Poddle.Core.Alerts;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Jobs;
using Poddle.Core.Pools.Runtime;
using Poddle.Core.Pools.Scaling;

namespace Poddle.Core.Pools;

public static class PoolsServiceCollectionExtensions
{
    /// <summary>
    /// Registers pools with their options (section "Pools", validated at start; <paramref name="configure"/> runs after
    /// the binding), the job and worker services, the webhook job and the ttl clean-up, the scaler and its metrics, and
    /// the pool controller that runs workers as pods (options "Pools:Controller", validated at start). Needs deployments'
    /// registrations (drivers, secret protector, tiers, the controller lease) and agents' (the server's address for pods).
    /// </summary>
    public static IServiceCollection AddPoddlePools(this IServiceCollection services, Action<OptionsBuilder<PoolOptions>>? configure = null)
    {
        var options = services.AddValidatedOptions<PoolOptions, PoolOptionsValidator>(PoolOptions.SectionName);
        configure?.Invoke(options);
        services.TryAddScoped<PoolService>();
        services.AddPoddleAlerts();
        services.TryAddSingleton<PoolAlerts>();
        services.TryAddScoped<PoolJobService>();
        services.TryAddScoped<PoolWorkerProtocol>();
        services.TryAddSingleton<PoolJobNotifier>();
        services.TryAddSingleton<PoolWebhookClient>();
        services.AddJobHandler<PoolWebhookJob>(PoolWebhookJob.JobKind);
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IMaintenanceTask, PoolJobsCleanup>());

        // The wiring: scaler → drivers.
        services.AddPoddlePoolScaling();
        services.AddValidatedOptions<PoolControllerOptions, PoolControllerOptionsValidator>(PoolControllerOptions.SectionName);
        services.TryAddScoped<PoolWorkerRecorder>();
        services.TryAddScoped<PoolWorkerPods>();
        services.TryAddScoped<PoolControllerStep>();
        services.AddPoddleAlerts();
        services.TryAddSingleton<PodCosts>();
        services.TryAddSingleton<PoolSpendMetrics>();
        services.TryAddScoped<PoolRuntimeQueries>();
        services.TryAddSingleton<PoolController>();
        services.AddHostedService(sp => sp.GetRequiredService<PoolController>());
        return services;
    }
}
