using System.CommandLine;

namespace Poddle.Cli;

/// <summary>
/// A noun (`projects`, `admin users`, `env`): a command with subcommands and no action of its own, so `poddle projects`
/// alone is a usage error that lists its commands. The subcommands are listed, in help too, in the order given.
/// </summary>
internal abstract class CliCommandGroup : Command
{
    protected CliCommandGroup(string name, string description, params Command[] subcommands)
        : base(name, description)
    {
        foreach (var subcommand in subcommands)
        {
            Subcommands.Add(subcommand);
        }
    }
}
