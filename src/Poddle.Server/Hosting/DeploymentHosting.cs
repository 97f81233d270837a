using Microsoft.Extensions.Configuration;
using Poddle.Core.Deployments;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Server.Hosting;

/// <summary>
/// Deployments in the host: the secrets key, where source bundles live, and the pod drivers this host offers
/// (sandbox, docker) as <see cref="IPodDriver"/> singletons.
/// </summary>
internal static class DeploymentHosting
{
    public static void AddPodDrivers(IServiceCollection services, IConfiguration configuration, string dataDir)
    {
        var secretKey = configuration.GetSection(DeploymentOptions.SectionName)[nameof(DeploymentOptions.SecretKey)];
        services.AddSingleton(new SecretEncryptionKey(SigningKeyStore.LoadOrCreateSecretsKey(secretKey, dataDir)));
        services.AddSingleton(new SourceBundleDirectory(Path.Combine(dataDir, "sources")));

        // The sandbox and Docker drivers are registered here once they exist (issue 5).
    }
}
