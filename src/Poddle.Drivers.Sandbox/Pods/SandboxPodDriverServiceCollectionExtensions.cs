using System.Runtime.Versioning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Sandbox.Pods;

public static class SandboxPodDriverServiceCollectionExtensions
{
    /// <summary>
    /// Registers the "sandbox" pod driver (<see cref="PodDriverNames.Sandbox"/>) as a keyed <see cref="IPodDriver"/>
    /// singleton (and among all <see cref="IPodDriver"/>s), with its options: section "Sandbox" (the isolation, shared
    /// with code execution) and "Sandbox:Pods", bound and validated at start. <paramref name="configure"/> runs after the
    /// binding: the host sets what it owns there (the state directory under its data directory, the agent port). At start,
    /// before any pod starts, what pods that are gone left behind (cgroups) is swept.
    /// </summary>
    [SupportedOSPlatform("linux")]
    public static IServiceCollection AddSandboxPodDriver(this IServiceCollection services, Action<SandboxPodOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<SandboxOptions>().BindConfiguration(SandboxOptions.SectionName).ValidateOnStart();
        var pods = services.AddOptions<SandboxPodOptions>().BindConfiguration(SandboxPodOptions.SectionName).ValidateOnStart();
        if (configure is not null)
        {
            pods.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SandboxOptions>, SandboxOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SandboxPodOptions>, SandboxPodOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SandboxPodDriver(
            sp.GetRequiredService<IOptions<SandboxOptions>>().Value,
            sp.GetRequiredService<IOptions<SandboxPodOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<SandboxPodDriver>>()));
        services.AddKeyedSingleton<IPodDriver>(PodDriverNames.Sandbox, (sp, _) => sp.GetRequiredService<SandboxPodDriver>());
        services.AddSingleton<IPodDriver>(sp => sp.GetRequiredKeyedService<IPodDriver>(PodDriverNames.Sandbox));
        services.AddHostedService<SandboxPodDriverLifetime>();
        return services;
    }

    /// <summary>At start, before any pod is started: sweeps what pods that are gone left (cgroups), never a pod that exists.</summary>
    [SupportedOSPlatform("linux")]
    private sealed class SandboxPodDriverLifetime(SandboxPodDriver driver) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken) => await driver.SweepLeftoversAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
