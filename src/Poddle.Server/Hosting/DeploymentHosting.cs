using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
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
        var section = configuration.GetSection("Docker");
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

        options.AgentPort = agentPort;
        services.AddSingleton(sp => new DockerPodDriver(options, sp.GetRequiredService<ILogger<DockerPodDriver>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IPodDriver>(sp => sp.GetRequiredService<DockerPodDriver>());
    }

    /// <summary>The embedded "sandbox" driver: sections "Sandbox" (isolation, shared with code execution) and "Sandbox:Pods"; pods under {dataDir}/pods.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void AddSandboxPodDriver(IServiceCollection services, IConfiguration configuration, string dataDir, int agentPort)
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

        pods.AgentPort = agentPort;
        services.AddSingleton(sp => new SandboxPodDriver(sandbox, pods, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SandboxPodDriver>>()));
        services.AddSingleton<IPodDriver>(sp => sp.GetRequiredService<SandboxPodDriver>());
    }
}
