using System.CommandLine;
using Poddle.Cli.Deployments;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Deployments;

/// <summary>
/// A command on one deployment (`scale NAME N`, `env set NAME K=V`...): its NAME argument comes first and --project
/// last, and the deployment is found (by id, or by name in the project <see cref="DeploymentTarget"/> resolves) before
/// the command runs.
/// </summary>
internal abstract class DeploymentCommand : CliCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The deployment's name (in the project) or id" };
    private readonly Option<string?> _project = DeploymentTarget.ProjectOption();

    protected DeploymentCommand(string name, string description, CliEnvironment environment, GlobalOptions globals)
        : base(name, description, environment, globals)
    {
        Arguments.Add(_name);
        Options.Add(_project);
    }

    /// <summary>Adds one of the command's own options, before --project (help lists them in this order).</summary>
    protected void AddOption(Option option) => Options.Insert(Options.IndexOf(_project), option);

    protected sealed override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var client = context.Authenticated();
        var deployment = await DeploymentTarget.ResolveAsync(context, client, parse.GetRequiredValue(_name), parse.GetValue(_project), cancellationToken);
        return await ExecuteAsync(context, parse, client, deployment, cancellationToken);
    }

    /// <summary>The command's work on <paramref name="deployment"/>.</summary>
    protected abstract Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, DeploymentResponse deployment, CancellationToken cancellationToken);

    /// <summary>The changed deployment with --json, else <paramref name="message"/>.</summary>
    protected static ExitCode Done(CliContext context, DeploymentResponse deployment, string message)
    {
        context.Output.Result(deployment, PoddleJsonContext.Default.DeploymentResponse, message);

        return ExitCode.Ok;
    }

    /// <summary>Variable or secret names, each once; a usage error for one that is not a variable name.</summary>
    protected static List<string> Keys(IEnumerable<string> names)
    {
        var keys = names.Distinct(StringComparer.Ordinal).ToList();
        foreach (var key in keys.Where(k => !Quantities.IsEnvName(k)))
        {
            throw CliException.Usage($"'{key}' is not a variable name (letters, digits and '_', not starting with a digit).");
        }

        return keys;
    }

    /// <summary>The replica's short id as the server gives it (its full id from a server that gives none).</summary>
    internal static string ShortId(ReplicaResponse replica) => replica.ShortId ?? replica.Id.ToString();
}
