using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
    public static IServiceCollection AddPoddleCodeExecutor(this IServiceCollection services)
    {
        if (!OperatingSystem.IsLinux())
        {
            services.TryAddSingleton<ICodeExecutor>(_ => new UnavailableCodeExecutor("the sandbox runs on Linux only"));
            return services;
        }

        AddSandbox(services);
        return services;
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void AddSandbox(IServiceCollection services)
    {
        services.AddOptions<SandboxExecutionOptions>()
            .Configure<IConfiguration, IOptions<ExecutionOptions>>((options, configuration, execution) => Bind(options, configuration, execution.Value))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SandboxExecutionOptions>, SandboxExecutionOptionsValidator>());
        services.TryAddSingleton(sp => new SandboxCodeExecutor(
            sp.GetRequiredService<IOptions<SandboxExecutionOptions>>().Value, sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ICodeExecutor>(sp => sp.GetRequiredService<SandboxCodeExecutor>());
        services.AddHostedService<SandboxExecutorLifetime>();
    }

    /// <summary>The sandbox's settings for `poddle doctor`, which builds no server: bound and checked as the server does.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    internal static SandboxExecutionOptions Read(IConfiguration configuration, ExecutionOptions execution)
    {
        var options = new SandboxExecutionOptions();
        try
        {
            Bind(options, configuration, execution);
        }
        catch (InvalidOperationException ex)
        {
            throw new StartupConfigurationException(ex.Message + (ex.InnerException is null ? string.Empty : " " + ex.InnerException.Message), ex);
        }

        if (new SandboxExecutionOptionsValidator().Validate(null, options) is { Failed: true } invalid)
        {
            throw new StartupConfigurationException(invalid.FailureMessage);
        }

        if (new SandboxOptionsValidator().Validate(null, options.Sandbox) is { Failed: true } sandbox)
        {
            throw new StartupConfigurationException(sandbox.FailureMessage);
        }

        return options;
    }

    /// <summary>Sections "Sandbox:Execution" and "Sandbox", with the execution service's limits as the least maxima.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void Bind(SandboxExecutionOptions options, IConfiguration configuration, ExecutionOptions execution)
    {
        configuration.GetSection(SandboxExecutionOptions.SectionName).Bind(options);
        options.Sandbox = configuration.GetSection(SandboxOptions.SectionName).Get<SandboxOptions>() ?? new SandboxOptions();

        // The execution service's limits are what clients may ask for; the sandbox must not clamp them lower.
        options.MaxRunCpuMs = Math.Max(options.MaxRunCpuMs, execution.MaxLimits.CpuMs);
        options.MaxRunWallMs = Math.Max(options.MaxRunWallMs, execution.MaxLimits.WallMs);
        options.MaxRunMemoryMb = Math.Max(options.MaxRunMemoryMb, execution.MaxLimits.MemoryMb);
    }

    /// <summary>Discovers the languages and starts the warm pool at start; kills the pool at stop.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private sealed class SandboxExecutorLifetime(SandboxCodeExecutor executor) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => executor.InitializeAsync(cancellationToken);

        public async Task StopAsync(CancellationToken cancellationToken) => await executor.DisposeAsync();
    }
}
