namespace Poddle.Cli.Commands.Deployments;

/// <summary>`poddle domains add|ls|rm|verify`.</summary>
internal sealed class DomainsCommand(CliEnvironment environment, GlobalOptions globals) : CliCommandGroup(
    "domains",
    "Custom domains of a deployment (ownership proven with a DNS TXT record)",
    new AddDomainCommand(environment, globals),
    new ListDomainsCommand(environment, globals),
    new RemoveDomainCommand(environment, globals),
    new VerifyDomainCommand(environment, globals));
