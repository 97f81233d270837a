using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Admin;

/// <summary>`poddle admin users set-role USER ROLE`.</summary>
internal sealed class SetRoleCommand : UserCommand
{
    private static readonly string[] Roles = ["member", "admin", "teacher", "student"];

    private readonly Argument<string> _role = new("role") { Description = "member, admin, teacher or student" };

    public SetRoleCommand(CliEnvironment environment, GlobalOptions globals)
        : base("set-role", "Change a user's role", environment, globals)
    {
        _role.AcceptOnlyFromAmong(Roles);
        Arguments.Add(_role);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, UserResponse user, CancellationToken cancellationToken)
    {
        var name = Enum.Parse<UserRoleName>(parse.GetRequiredValue(_role), ignoreCase: true);
        var updated = await client.UpdateUserAccessAsync(user.Id, new UpdateUserAccessRequest(Role: name), cancellationToken);
        return Report(context, updated, $"{updated.Username} is now {updated.Role}.");
    }
}
