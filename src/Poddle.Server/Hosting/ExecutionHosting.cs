using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Poddle.Core.Executions;
using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Server.Hosting;

/// <summary>Chooses and starts the code executor: the sandbox driver on Linux.</summary>
internal static class ExecutionHosting
{
    public static void AddCodeExecutor(IServiceCollection services, IConfiguration configuration)
    {
        _ = configuration;
        services.TryAddSingleton<ICodeExecutor>(_ => new UnavailableCodeExecutor("no code executor is configured"));
    }
}
