namespace Poddle.Cli.Commands.Pools;

/// <summary>`poddle pools create|ls|get|update|scale|rm`: worker pools (docs/pools.md).</summary>
internal sealed class PoolsCommand(CliEnvironment environment, GlobalOptions globals) : CliCommandGroup(
    "pools",
    "Create, list, show, change, scale and delete worker pools (RunPod-compatible serverless endpoints)",
    new CreatePoolCommand(environment, globals),
    new ListPoolsCommand(environment, globals),
    new GetPoolCommand(environment, globals),
    new UpdatePoolCommand(environment, globals),
    new ScalePoolCommand(environment, globals),
    new RemovePoolCommand(environment, globals));
