using Poddle.Core.Deployments;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Agents;

/// <summary>
/// PODDLE_SERVER and a new PODDLE_AGENT_TOKEN (issued now, replacing the replica's previous pod's) for a pod, so
/// `poddle agent` inside it can send heartbeats. Users cannot set PODDLE_* themselves (validation), so these never
/// collide with a deployment's env; they are not part of the revision and never shown by the API.
/// </summary>
public sealed class PodAgentEnvironment(AgentTokens tokens, AgentServerAddress server) : IPodAgentEnvironment
{
    public async Task<IReadOnlyDictionary<string, string>> ForReplicaAsync(IPodDriver driver, Guid replicaId, CancellationToken cancellationToken)
    {
        if (await server.ForAsync(driver, cancellationToken) is not { } address)
        {
            // No URL the pod could reach this server at (not listening yet, none configured): no agent env.
            return new Dictionary<string, string>();
        }

        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [AgentTokens.ServerVariable] = address,
            [AgentTokens.TokenVariable] = await tokens.IssueAsync(replicaId, cancellationToken),
        };
    }
}
