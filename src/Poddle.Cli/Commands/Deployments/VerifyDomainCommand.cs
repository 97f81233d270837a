using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Deployments;

/// <summary>`poddle domains verify NAME HOST`: exit 1 while the TXT record is not there yet.</summary>
internal sealed class VerifyDomainCommand(CliEnvironment environment, GlobalOptions globals)
    : DomainCommand("verify", "Check the domain's TXT record now", environment, globals)
{
    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, DeploymentResponse deployment, CancellationToken cancellationToken)
    {
        var domain = await FindDomainAsync(parse, client, deployment, cancellationToken);
        var verified = await client.VerifyDomainAsync(deployment.Id, domain.Id, cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(verified, PoddleJsonContext.Default.DomainResponse);
        }

        if (verified.Verified)
        {
            if (!context.Output.Json)
            {
                context.Output.Success($"{verified.Hostname} is verified and routes to {deployment.Name}.");
            }

            return ExitCode.Ok;
        }

        context.Output.ErrorMessage(
            $"{verified.Hostname} is not verified yet: publish {verified.TxtRecordName} TXT \"{verified.TxtRecordValue}\" at your DNS provider, wait for it to propagate, and run this again.");
        return ExitCode.Error;
    }
}
