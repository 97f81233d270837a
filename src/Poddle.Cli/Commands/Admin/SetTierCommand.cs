using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Admin;

/// <summary>`poddle admin users set-tier USER TIER`.</summary>
internal sealed class SetTierCommand : UserCommand
{
    private static readonly string[] Tiers = ["free", "pro"];

    private readonly Argument<string> _tier = new("tier") { Description = "free or pro" };

    public SetTierCommand(CliEnvironment environment, GlobalOptions globals)
        : base("set-tier", "Change a user's tier (its limits on deployments)", environment, globals)
    {
        _tier.AcceptOnlyFromAmong(Tiers);
        Arguments.Add(_tier);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, UserResponse user, CancellationToken cancellationToken)
    {
        var name = Enum.Parse<UserTierName>(parse.GetRequiredValue(_tier), ignoreCase: true);
        var updated = await client.UpdateUserAccessAsync(user.Id, new UpdateUserAccessRequest(Tier: name), cancellationToken);
        return Report(context, updated, $"{updated.Username} is now on the {updated.Tier} tier.");
    }
}
