namespace Poddle.Cli.Commands.Deployments;

/// <summary>`poddle secrets set|ls|rm`: write-only; only names ever come back.</summary>
internal sealed class SecretsCommand(CliEnvironment environment, GlobalOptions globals) : CliCommandGroup(
    "secrets",
    "A deployment's secrets: write-only, only their names are ever shown (each change rolls out a new revision)",
    new SetSecretsCommand(environment, globals),
    new ListSecretsCommand(environment, globals),
    new RemoveSecretsCommand(environment, globals));
