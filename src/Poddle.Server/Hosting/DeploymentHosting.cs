using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.Docker;
using Poddle.Drivers.Sandbox;
using Poddle.Drivers.Sandbox.Pods;

namespace Poddle.Server.Hosting;

/// <summary>
/// Deployments in the host: the secrets key, where source bundles live, and the pod drivers this host offers
/// (sandbox, docker) as <see cref="IPodDriver"/> singletons.
/// </summary>
internal static class DeploymentHosting
{
    /// <summary>The drivers; <paramref name="agentPort"/> is the agent listener's port, which their firewalls let pods open (no other port of the host).</summary>
    public static void AddPodDrivers(IServiceCollection services, IConfiguration configuration, string dataDir, int agentPort)
    {
        var secretKey = configuration.GetSection(DeploymentOptions.SectionName)[nameof(DeploymentOptions.SecretKey)];
        services.AddSingleton(new SecretEncryptionKey(SigningKeyStore.LoadOrCreateSecretsKey(secretKey, dataDir)));
        services.AddSingleton(new SourceBundleDirectory(Path.Combine(dataDir, "sources")));

        if (OperatingSystem.IsLinux())
        {
            AddSandboxPodDriver(services, configuration, dataDir, agentPort);
        }

        AddDockerPodDriver(services, configuration, agentPort);
    }

    /// <summary>
    /// The "docker" driver (section "Docker"; Docker:Enabled=false leaves it out). Registered even when no engine runs
    /// now: its health says so in /readyz, and deployments that need it fail with "driver down" instead of hanging.
    /// </summary>
    private static void AddDockerPodDriver(IServiceCollection services, IConfiguration configuration, int agentPort)
    {
        var section = configuration.GetSection(DockerDriverOptionsValidator.SectionName);
        if (!section.GetValue("Enabled", true))
        {
            return;
        }

        DockerDriverOptions options;
        try
        {
            options = section.Get<DockerDriverOptions>() ?? new DockerDriverOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw new StartupConfigurationException(ex.Message, ex);
        }

        // Bound here, not through IOptions: the driver is built from these values at once.
        if (new DockerDriverOptionsValidator().Validate(null, options) is { Failed: true } invalid)
        {
            throw new StartupConfigurationException(invalid.FailureMessage);
        }

        options.AgentPort = agentPort;
        services.AddSingleton(sp => new DockerPodDriver(options, sp.GetRequiredService<ILogger<DockerPodDriver>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IPodDriver>(sp => sp.GetRequiredService<DockerPodDriver>());
    }

    /// <summary>The embedded "sandbox" driver: sections "Sandbox" (isolation, shared with code execution) and "Sandbox:Pods"; pods under {dataDir}/pods.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void AddSandboxPodDriver(IServiceCollection services, IConfiguration configuration, string dataDir, int agentPort)
    {
        var (sandbox, pods) = ReadSandboxPodOptions(configuration, dataDir);
        pods.AgentPort = agentPort;
        services.AddSingleton(sp => new SandboxPodDriver(sandbox, pods, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SandboxPodDriver>>()));
        services.AddSingleton<IPodDriver>(sp => sp.GetRequiredService<SandboxPodDriver>());
        services.AddHostedService<SandboxPodDriverLifetime>();
    }

    /// <summary>The sandbox pod driver's settings as the server reads them (also for `poddle doctor`).</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    internal static (SandboxOptions Sandbox, SandboxPodOptions Pods) ReadSandboxPodOptions(IConfiguration configuration, string dataDir)
    {
        SandboxOptions sandbox;
        SandboxPodOptions pods;
        try
        {
            sandbox = configuration.GetSection("Sandbox").Get<SandboxOptions>() ?? new SandboxOptions();
            pods = configuration.GetSection("Sandbox:Pods").Get<SandboxPodOptions>() ?? new SandboxPodOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw new StartupConfigurationException(ex.Message, ex);
        }

        if (string.IsNullOrEmpty(pods.StateDirectory))
        {
            pods.StateDirectory = Path.GetFullPath(Path.Combine(dataDir, "pods"));
        }

        return (sandbox, pods);
    }

    /// <summary>At start, before any pod is started: sweeps what pods that are gone left (cgroups), never a pod that exists.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private sealed class SandboxPodDriverLifetime(SandboxPodDriver driver) : Microsoft.Extensions.Hosting.IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken) => await driver.SweepLeftoversAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
