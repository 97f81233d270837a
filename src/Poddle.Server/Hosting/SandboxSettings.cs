using System.Runtime.Versioning;
using Microsoft.Extensions.Configuration;
using Poddle.Core.Executions;
using Poddle.Drivers.Sandbox;
using Poddle.Drivers.Sandbox.Pods;

namespace Poddle.Server.Hosting;

/// <summary>
/// The sandbox's settings exactly as `poddle serve` with the same start options would read them (config file, PODDLE_*
/// variables, --data-dir): what `poddle doctor` checks, so that its verdict is the server's.
/// </summary>
/// <param name="Execution">Code execution ("Sandbox", "Sandbox:Execution").</param>
/// <param name="Pods">The sandbox pod driver ("Sandbox:Pods"), its state directory resolved under the data directory.</param>
/// <param name="DataDir">The data directory, absolute.</param>
[SupportedOSPlatform("linux")]
public sealed record SandboxSettings(SandboxExecutionOptions Execution, SandboxPodOptions Pods, string DataDir)
{
    /// <exception cref="StartupConfigurationException">A setting is invalid; the message names its key.</exception>
    public static SandboxSettings Read(ServerStartOptions start)
    {
        ArgumentNullException.ThrowIfNull(start);
        var configuration = new ConfigurationManager();
        PoddleServer.ConfigureConfiguration(configuration, start);
        try
        {
            var dataDir = Path.GetFullPath(configuration.Get<ServerOptions>()?.DataDir is { Length: > 0 } configured ? configured : "data");
            var execution = configuration.GetSection(ExecutionOptions.SectionName).Get<ExecutionOptions>() ?? new ExecutionOptions();
            var pods = DeploymentHosting.ReadSandboxPodOptions(configuration, dataDir);
            return new SandboxSettings(ExecutionHosting.Read(configuration, execution), pods, dataDir);
        }
        catch (InvalidOperationException ex)
        {
            throw new StartupConfigurationException(ex.Message + (ex.InnerException is null ? string.Empty : " " + ex.InnerException.Message), ex);
        }
    }
}
