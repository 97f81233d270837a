using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Pools;

/// <summary>`poddle pools rm NAME [--yes]`: deletes a pool with its jobs, after asking when there is someone to ask.</summary>
internal sealed class RemovePoolCommand : PoolCommand
{
    private readonly Option<bool> _yes = new("--yes", "-y") { Description = "Do not ask for confirmation" };

    public RemovePoolCommand(CliEnvironment environment, GlobalOptions globals)
        : base("rm", "Delete a pool with its jobs", environment, globals)
    {
        Options.Add(_yes);
        Aliases.Add("delete");
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, PoolResponse pool, CancellationToken cancellationToken)
    {
        if (!parse.GetValue(_yes))
        {
            if (!context.Environment.IsInteractive)
            {
                throw CliException.Usage($"Deleting pool {pool.Name} and its jobs cannot be undone; pass --yes to confirm.");
            }

            if (!context.Output.Error.Confirm($"Delete pool {pool.Name} and all its jobs?", defaultValue: false))
            {
                context.Output.Message("Nothing deleted.");
                return ExitCode.Ok;
            }
        }

        await client.DeletePoolAsync(pool.Id, cancellationToken);
        return Done(context, pool, $"Deleted pool {pool.Name}.");
    }
}
