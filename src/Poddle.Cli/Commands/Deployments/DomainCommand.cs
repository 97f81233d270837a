using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Deployments;

/// <summary>A `domains` command on one host name of a deployment: `domains add|rm|verify NAME HOST`.</summary>
internal abstract class DomainCommand : DeploymentCommand
{
    private readonly Argument<string> _host = new("host") { Description = "The host name, e.g. www.example.com" };

    protected DomainCommand(string name, string description, CliEnvironment environment, GlobalOptions globals)
        : base(name, description, environment, globals)
    {
        Arguments.Add(_host);
    }

    /// <summary>The HOST argument as given.</summary>
    protected string Host(ParseResult parse) => parse.GetRequiredValue(_host);

    /// <summary>The deployment's domain HOST names (by host name, case and a trailing dot aside, or by id).</summary>
    protected async Task<DomainResponse> FindDomainAsync(ParseResult parse, PoddleClient client, DeploymentResponse deployment, CancellationToken cancellationToken)
    {
        var host = Host(parse);
        var list = await client.ListDomainsAsync(deployment.Id, cancellationToken);
        return list.FirstOrDefault(d => string.Equals(d.Hostname, host.TrimEnd('.'), StringComparison.OrdinalIgnoreCase) || d.Id.ToString() == host)
            ?? throw new CliException($"{deployment.Name} has no domain {host}. See its domains with `poddle domains ls {deployment.Name}`.");
    }
}
