namespace Poddle.Cli.Commands.Deployments;

/// <summary>`poddle env set|unset|ls`.</summary>
internal sealed class EnvCommand(CliEnvironment environment, GlobalOptions globals) : CliCommandGroup(
    "env",
    "A deployment's environment variables (each change rolls out a new revision)",
    new SetEnvCommand(environment, globals),
    new UnsetEnvCommand(environment, globals),
    new ListEnvCommand(environment, globals));
