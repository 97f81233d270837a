using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Deployments;

/// <summary>`poddle domains add NAME HOST`: prints the TXT record that proves the domain is yours.</summary>
internal sealed class AddDomainCommand(CliEnvironment environment, GlobalOptions globals)
    : DomainCommand("add", "Add a custom domain", environment, globals)
{
    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, DeploymentResponse deployment, CancellationToken cancellationToken)
    {
        var domain = await client.AddDomainAsync(deployment.Id, new AddDomainRequest(Host(parse)), cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(domain, PoddleJsonContext.Default.DomainResponse);
        }
        else if (domain.Verified)
        {
            context.Output.Success($"{domain.Hostname} now routes to {deployment.Name}.");
        }
        else
        {
            context.Output.Message($"Added {domain.Hostname}. To prove it is yours, publish this DNS record and run `poddle domains verify {deployment.Name} {domain.Hostname}`:");
            context.Output.Message($"  {domain.TxtRecordName}  TXT  \"{domain.TxtRecordValue}\"");
        }

        return ExitCode.Ok;
    }
}
