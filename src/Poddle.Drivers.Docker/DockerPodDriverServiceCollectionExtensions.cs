using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Docker;

public static class DockerPodDriverServiceCollectionExtensions
{
    /// <summary>
    /// Registers the "docker" pod driver (<see cref="PodDriverNames.Docker"/>) as a keyed <see cref="IPodDriver"/>
    /// singleton (and among all <see cref="IPodDriver"/>s), with its options (section "Docker", validated at start by
    /// <see cref="DockerDriverOptionsValidator"/>; <paramref name="configure"/> runs after the binding, where the host
    /// sets the agent port). Registered even when no engine runs now: its health says so, and deployments that need it
    /// fail with "driver down" instead of hanging.
    /// </summary>
    public static IServiceCollection AddDockerPodDriver(this IServiceCollection services, Action<DockerDriverOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<DockerDriverOptions>().BindConfiguration(DockerDriverOptions.SectionName).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DockerDriverOptions>, DockerDriverOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new DockerPodDriver(
            sp.GetRequiredService<IOptions<DockerDriverOptions>>().Value, sp.GetRequiredService<ILogger<DockerPodDriver>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddKeyedSingleton<IPodDriver>(PodDriverNames.Docker, (sp, _) => sp.GetRequiredService<DockerPodDriver>());
        services.AddSingleton<IPodDriver>(sp => sp.GetRequiredKeyedService<IPodDriver>(PodDriverNames.Docker));
        return services;
    }
}
