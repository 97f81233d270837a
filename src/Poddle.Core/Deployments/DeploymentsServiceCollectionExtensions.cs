using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Poddle.Core.Deployments;

public static class DeploymentsServiceCollectionExtensions
{
    /// <summary>
    /// Registers deployments: options (section "Deployments"), the API-side service, the controller (converge job,
    /// health monitor, reconciler). The host registers the <c>IPodDriver</c>s.
    /// </summary>
    public static IServiceCollection AddPoddleDeployments(this IServiceCollection services, Action<OptionsBuilder<DeploymentOptions>>? configure = null)
    {
        var optionsBuilder = services.AddOptions<DeploymentOptions>();
        configure?.Invoke(optionsBuilder);
        optionsBuilder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeploymentOptions>, DeploymentOptionsValidator>());
        services.TryAddSingleton<PodDriverRegistry>();
        services.TryAddSingleton<DeploymentChangeSignal>();
        services.TryAddScoped<DeploymentEventRecorder>();
        services.TryAddSingleton<SecretProtector>();
        services.TryAddSingleton<SourceBundleStore>();

        // API side (DeploymentService, secrets, sources, domains) — registered below.
        services.TryAddScoped<DeploymentService>();
        services.TryAddScoped<SourceBundleService>();
        services.TryAddScoped<DomainService>();
        services.TryAddSingleton<IDnsTxtResolver, DnsClientTxtResolver>();

        // Controller side (converge job, health monitor, reconciler, metrics) — registered below.
        return services;
    }
}
