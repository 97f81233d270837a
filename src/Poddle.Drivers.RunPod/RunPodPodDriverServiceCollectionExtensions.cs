using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.RunPod.Api;

namespace Poddle.Drivers.RunPod;

public static class RunPodPodDriverServiceCollectionExtensions
{
    /// <summary>
    /// Registers the "runpod" pod driver (<see cref="RunPodPodDriver.DriverName"/>) as a keyed <see cref="IPodDriver"/>
    /// singleton (and among all <see cref="IPodDriver"/>s), its typed HttpClient and the circuit breakers per key, with its
    /// options (section "RunPod", validated at start by <see cref="RunPodDriverOptionsValidator"/>: the key must be set).
    /// The host calls it only when RunPod is configured (the driver is off otherwise).
    /// </summary>
    public static IServiceCollection AddRunPodPodDriver(this IServiceCollection services, Action<RunPodDriverOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<RunPodDriverOptions>().BindConfiguration(RunPodDriverOptions.SectionName).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RunPodDriverOptions>, RunPodDriverOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RunPodCircuits>();
        // The driver is a singleton holding its typed client for good: the primary handler recycles its connections
        // itself (DNS changes are seen) instead of the factory rotating handlers the client would never see.
        services.AddHttpClient<RunPodGraphQLClient>()
            .AddTypedClient((HttpClient http, IServiceProvider sp) => new RunPodGraphQLClient(
                http,
                sp.GetRequiredService<IOptions<RunPodDriverOptions>>().Value,
                sp.GetRequiredService<RunPodCircuits>(),
                sp.GetRequiredService<ILogger<RunPodGraphQLClient>>(),
                sp.GetRequiredService<TimeProvider>()))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.TryAddSingleton(sp => new RunPodPodDriver(
            sp.GetRequiredService<RunPodGraphQLClient>(),
            sp.GetRequiredService<IOptions<RunPodDriverOptions>>().Value,
            sp.GetRequiredService<ILogger<RunPodPodDriver>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddKeyedSingleton<IPodDriver>(RunPodPodDriver.DriverName, (sp, _) => sp.GetRequiredService<RunPodPodDriver>());
        services.AddSingleton<IPodDriver>(sp => sp.GetRequiredKeyedService<IPodDriver>(RunPodPodDriver.DriverName));
        return services;
    }
}
