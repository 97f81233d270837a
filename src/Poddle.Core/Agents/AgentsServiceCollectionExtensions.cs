using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Deployments;

namespace Poddle.Core.Agents;

public static class AgentsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the server side of pod agents: options (section "Agents", validated at start; <paramref name="configure"/>
    /// runs after the binding), token issuing, heartbeats, pods' health and the lost monitor, and what deployments ask of
    /// agents (<see cref="IReplicaHealthQuery"/>, <see cref="IPodAgentEnvironment"/>). The host calls it next to
    /// <c>AddPoddleDeployments</c>; a second call only applies <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddPoddleAgents(this IServiceCollection services, Action<OptionsBuilder<AgentOptions>>? configure = null)
    {
        var options = services.AddValidatedOptions<AgentOptions, AgentOptionsValidator>(AgentOptions.SectionName);
        configure?.Invoke(options);
        if (services.Any(s => s.ServiceType == typeof(AgentTokens)))
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AgentTokens>();
        services.TryAddSingleton<AgentServerAddress>();
        services.TryAddScoped<AgentHeartbeatService>();
        services.TryAddScoped<PodHealthReader>();
        services.TryAddScoped<IReplicaHealthQuery>(sp => sp.GetRequiredService<PodHealthReader>());
        services.TryAddScoped<IPodAgentEnvironment, PodAgentEnvironment>();
        services.TryAddSingleton<AgentLostMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<AgentLostMonitor>());
        return services;
    }
}
