using System.CommandLine;
using Poddle.Cli.Configuration;
using Poddle.Cli.Output;
using Poddle.Client;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Deployments;

/// <summary>`poddle env ls NAME`: the variables and their values.</summary>
internal sealed class ListEnvCommand(CliEnvironment environment, GlobalOptions globals)
    : DeploymentCommand("ls", "List environment variables and their values", environment, globals)
{
    protected override Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, DeploymentResponse deployment, CancellationToken cancellationToken)
    {
        if (context.Output.Json)
        {
            context.Output.WriteJson(deployment.Env, CliJsonContext.Default.IReadOnlyDictionaryStringString);
            return Task.FromResult(ExitCode.Ok);
        }

        if (deployment.Env.Count == 0)
        {
            context.Output.Message($"{deployment.Name} has no environment variables. Set some with `poddle env set {deployment.Name} KEY=VALUE`.");
            return Task.FromResult(ExitCode.Ok);
        }

        var table = CliOutput.Table("KEY", "VALUE");
        foreach (var (key, value) in deployment.Env.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            table.AddRow(new Text(key), new Text(value));
        }

        context.Output.Out.Write(table);
        return Task.FromResult(ExitCode.Ok);
    }
}
