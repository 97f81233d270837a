using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.Docker;
using Poddle.Drivers.RunPod;
using Poddle.Drivers.Sandbox.Pods;

namespace Poddle.Server.Hosting;

/// <summary>
/// Deployments in the host: the secrets key, where source bundles live, and the pod drivers this host offers, each
/// registered by its own assembly under its <see cref="PodDriverNames"/> name with its own options.
/// </summary>
internal static class DeploymentHosting
{
    /// <summary>
    /// The drivers: "sandbox" on Linux, "docker" unless Docker:Enabled=false, "runpod" when RunPod:ApiKey is set. <paramref name="agentPort"/> is the agent
    /// listener's port, which their firewalls let pods open (no other port of the host); sandbox pods live under
    /// {dataDir}/pods unless Sandbox:Pods:StateDirectory says otherwise.
    /// </summary>
    public static IServiceCollection AddPoddleDrivers(this IServiceCollection services, IConfiguration configuration, string dataDir, int agentPort)
    {
        // Read when first resolved, which the start does (PoddleServer.Build) once the options are validated.
        services.AddSingleton(sp => new SecretEncryptionKey(
            SigningKeyStore.LoadOrCreateSecretsKey(sp.GetRequiredService<IOptions<DeploymentOptions>>().Value.SecretKey, dataDir)));
        services.AddSingleton(new SourceBundleDirectory(Path.Combine(dataDir, "sources")));

        if (OperatingSystem.IsLinux())
        {
            AddSandbox(services, dataDir, agentPort);
        }

        // Not part of DockerDriverOptions: it decides whether the driver (and its options) are registered at all.
        if (configuration.GetValue($"{DockerDriverOptions.SectionName}:Enabled", true))
        {
            services.AddDockerPodDriver(docker => docker.AgentPort = agentPort);
        }

        // Off unless configured: RunPod rents paid machines, so it is there only with a key (or RunPod:Enabled=true, and
        // then the start names the missing key).
        var runPod = configuration.GetSection(RunPodDriverOptions.SectionName);
        if (runPod.GetValue("Enabled", !string.IsNullOrEmpty(runPod["ApiKey"])))
        {
            services.AddRunPodPodDriver();
        }

        return services;
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void AddSandbox(IServiceCollection services, string dataDir, int agentPort) =>
        services.AddSandboxPodDriver(pods => UseHostDefaults(pods, dataDir, agentPort));

    /// <summary>
    /// The sandbox pod driver's settings as the server reads them, for `poddle doctor` (which builds no server): bound
    /// and checked by the same code as the server's (a bad value names its key).
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    internal static SandboxPodOptions ReadSandboxPodOptions(IConfiguration configuration, string dataDir)
    {
        var pods = new SandboxPodOptions();
        try
        {
            configuration.GetSection(SandboxPodOptions.SectionName).Bind(pods);
        }
        catch (InvalidOperationException ex)
        {
            throw new StartupConfigurationException(ex.Message, ex);
        }

        UseHostDefaults(pods, dataDir, agentPort: null);
        if (new SandboxPodOptionsValidator().Validate(null, pods) is { Failed: true } invalid)
        {
            throw new StartupConfigurationException(string.Join(Environment.NewLine, invalid.Failures));
        }

        return pods;
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void UseHostDefaults(SandboxPodOptions pods, string dataDir, int? agentPort)
    {
        if (string.IsNullOrEmpty(pods.StateDirectory))
        {
            pods.StateDirectory = Path.GetFullPath(Path.Combine(dataDir, "pods"));
        }

        if (agentPort is { } port)
        {
            pods.AgentPort = port;
        }
    }
}
