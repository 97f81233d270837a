using Microsoft.Extensions.Logging;
using Poddle.Agent.Options;
using Poddle.Agent.Tuning;

namespace Poddle.Agent;

/// <summary>What a health-round factory gets to build the round `poddle agent` runs every period.</summary>
/// <remarks>Options: The agent's validated options.</remarks>
/// <remarks>Environment: Where it runs (kind, pod id, host name).</remarks>
/// <remarks>Variables: The process environment.</remarks>
public sealed record AgentRunContext(
    AgentOptions Options,
    PodEnvironment Environment,
    IReadOnlyDictionary<string, string> Variables,
    ILoggerFactory LoggerFactory,
    TimeProvider Time);
