using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Poddle.Core.Executions;
using Poddle.Drivers.Abstractions.Execution;
using Poddle.Drivers.Sandbox;

namespace Poddle.Server.Hosting;

/// <summary>
/// Chooses and starts the code executor: the sandbox driver on Linux (configuration sections "Sandbox" for the
/// sandbox itself and "Sandbox:Execution" for its policy), an executor that says why nothing runs elsewhere.
/// Languages are discovered and the warm pool started before the server accepts requests; the pool is killed at stop.
/// </summary>
internal static class ExecutionHosting
{
    public static void AddCodeExecutor(IServiceCollection services, IConfiguration configuration, ExecutionOptions execution)
    {
        if (!OperatingSystem.IsLinux())
        {
            services.TryAddSingleton<ICodeExecutor>(_ => new UnavailableCodeExecutor("the sandbox runs on Linux only"));
            return;
        }

        AddSandbox(services, configuration, execution);
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void AddSandbox(IServiceCollection services, IConfiguration configuration, ExecutionOptions execution)
    {
        var options = Read(configuration, execution);
        services.TryAddSingleton(sp => new SandboxCodeExecutor(options, sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ICodeExecutor>(sp => sp.GetRequiredService<SandboxCodeExecutor>());
        services.AddHostedService<SandboxExecutorLifetime>();
    }

    /// <summary>Binds and validates the sandbox's settings; a bad value stops the start naming its key.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    internal static SandboxExecutionOptions Read(IConfiguration configuration, ExecutionOptions execution)
    {
        SandboxExecutionOptions options;
        try
        {
            options = configuration.GetSection("Sandbox:Execution").Get<SandboxExecutionOptions>() ?? new SandboxExecutionOptions();
            options.Sandbox = configuration.GetSection("Sandbox").Get<SandboxOptions>() ?? new SandboxOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw new StartupConfigurationException(ex.Message + (ex.InnerException is null ? string.Empty : " " + ex.InnerException.Message), ex);
        }

        // The execution service's limits are what clients may ask for; the sandbox must not clamp them lower.
        options.MaxRunCpuMs = Math.Max(options.MaxRunCpuMs, execution.MaxLimits.CpuMs);
        options.MaxRunWallMs = Math.Max(options.MaxRunWallMs, execution.MaxLimits.WallMs);
        options.MaxRunMemoryMb = Math.Max(options.MaxRunMemoryMb, execution.MaxLimits.MemoryMb);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new StartupConfigurationException("Sandbox:Execution: " + string.Join(" ", problems));
        }

        return options;
    }

    /// <summary>Discovers the languages and starts the warm pool at start; kills the pool at stop.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private sealed class SandboxExecutorLifetime(SandboxCodeExecutor executor) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => executor.InitializeAsync(cancellationToken);

        public async Task StopAsync(CancellationToken cancellationToken) => await executor.DisposeAsync();
    }
}
