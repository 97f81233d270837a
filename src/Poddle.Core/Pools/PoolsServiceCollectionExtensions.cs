using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Jobs;

namespace Poddle.Core.Pools;

public static class PoolsServiceCollectionExtensions
{
    /// <summary>
    /// Registers pools with their options (section "Pools", validated at start; <paramref name="configure"/> runs after
    /// the binding), the job and worker services, the webhook job and the ttl clean-up. Needs deployments' registrations (drivers, secret protector, tiers).
    /// </summary>
    public static IServiceCollection AddPoddlePools(this IServiceCollection services, Action<OptionsBuilder<PoolOptions>>? configure = null)
    {
        var options = services.AddValidatedOptions<PoolOptions, PoolOptionsValidator>(PoolOptions.SectionName);
        configure?.Invoke(options);
        services.TryAddScoped<PoolService>();
        services.TryAddScoped<PoolJobService>();
        services.TryAddScoped<PoolWorkerProtocol>();
        services.TryAddSingleton<PoolJobNotifier>();
        services.TryAddSingleton<PoolWebhookClient>();
        services.AddJobHandler<PoolWebhookJob>(PoolWebhookJob.JobKind);
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IMaintenanceTask, PoolJobsCleanup>());
        return services;
    }
}
