using Microsoft.Extensions.Configuration;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Server.Hosting;

/// <summary>Registers the pod drivers this host offers (sandbox, docker) as <see cref="IPodDriver"/> singletons.</summary>
internal static class DeploymentHosting
{
    public static void AddPodDrivers(IServiceCollection services, IConfiguration configuration, string dataDir)
    {
        // The sandbox and Docker drivers are registered here once they exist (issue 5).
        _ = services;
        _ = configuration;
        _ = dataDir;
    }
}
