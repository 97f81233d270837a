using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Poddle.Core.Alerts;
using Poddle.Core.Common;
using Poddle.Core.Jobs;
using Poddle.Core.Projects;

namespace Poddle.Core.Deployments;

public static class DeploymentsServiceCollectionExtensions
{
    /// <summary>
    /// Registers deployments: options (section "Deployments", validated at start together with
    /// <see cref="DeploymentDriversValidator"/>'s check of the default drivers; <paramref name="configure"/> runs after the
    /// binding), the API-side service, the controller (converge job, health monitor, reconciler). The pod drivers are
    /// keyed <c>IPodDriver</c>s their own assemblies register (<c>AddSandboxPodDriver</c>, <c>AddDockerPodDriver</c>);
    /// <see cref="PodDriverRegistry"/> finds them by name.
    /// </summary>
    public static IServiceCollection AddPoddleDeployments(this IServiceCollection services, Action<OptionsBuilder<DeploymentOptions>>? configure = null)
    {
        var options = services.AddValidatedOptions<DeploymentOptions, DeploymentOptionsValidator>(DeploymentOptions.SectionName);
        configure?.Invoke(options);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeploymentOptions>, DeploymentDriversValidator>());
        services.TryAddSingleton<PodDriverRegistry>();
        services.TryAddSingleton<DeploymentChangeSignal>();
        services.TryAddScoped<DeploymentEventRecorder>();
        services.AddPoddleAlerts();
        services.TryAddSingleton<DeploymentAlerts>();
        services.TryAddSingleton<SecretProtector>();
        services.TryAddSingleton<SourceBundleStore>();

        // API side: desired state, source bundles, custom domains.
        services.TryAddScoped<DeploymentService>();
        services.TryAddScoped<SourceBundleService>();
        services.TryAddScoped<DomainService>();
        services.TryAddScoped<IProjectDeployments, ProjectDeployments>();
        services.TryAddSingleton<IDnsTxtResolver, DnsClientTxtResolver>();

        // Controller side: converge job, health monitor, reconciler, metrics. Pods' agents (IPodAgentEnvironment,
        // IReplicaHealthQuery) come from AddPoddleAgents, which the host calls next to this.
        AddDeploymentController(services);
        return services;
    }

    /// <summary>The controller: converge job, health monitor, reconciler, metrics collector, logs (docs/decisions/0006).</summary>
    private static void AddDeploymentController(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ControllerStore>();
        services.TryAddSingleton<ControllerLeadership>();
        services.TryAddSingleton<DeploymentLocks>();
        services.TryAddSingleton<DeploymentControllerStartup>();
        services.TryAddSingleton<ReplicaProber>();
        services.TryAddSingleton<ReplicaCrashOutput>();
        services.TryAddScoped<ReplicaPods>();
        services.TryAddScoped<DeploymentNotifier>();
        services.TryAddScoped<DeploymentLogReader>();
        services.TryAddScoped<DeploymentConvergeStep>();
        services.TryAddScoped<IDeploymentBalanceGuard, UnbilledDeployments>();
        services.AddJobHandler<DeploymentConvergeHandler>(DeploymentJobs.Converge);
        services.AddMetrics();
        services.TryAddSingleton<DeploymentMetrics>();
        services.TryAddSingleton<DeploymentReconciler>();
        services.TryAddSingleton<ReplicaHealthMonitor>();
        services.TryAddSingleton<ReplicaMetricsCollector>();

        // The reconciler first: its startup pass re-adopts pods before the monitor and converge jobs touch any.
        services.AddHostedService(sp => sp.GetRequiredService<DeploymentReconciler>());
        services.AddHostedService(sp => sp.GetRequiredService<ReplicaHealthMonitor>());
        services.AddHostedService(sp => sp.GetRequiredService<ReplicaMetricsCollector>());
    }
}
