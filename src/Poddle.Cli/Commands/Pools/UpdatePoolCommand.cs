using System.CommandLine;
using Poddle.Cli.Pools;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Pools;

/// <summary>`poddle pools update NAME [--file poddle-pool.toml]`: the file's fields replace the pool's (env and secrets merge).</summary>
internal sealed class UpdatePoolCommand : PoolCommand
{
    private readonly Option<string> _file = new("--file", "-f") { Description = "The pool file (default: poddle-pool.toml here)" };

    public UpdatePoolCommand(CliEnvironment environment, GlobalOptions globals)
        : base("update", "Change a pool from a pool file (its name and driver stay)", environment, globals)
    {
        Options.Add(_file);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, PoolResponse pool, CancellationToken cancellationToken)
    {
        var file = PoolFile.Read(FilePath(context, parse.GetValue(_file)), context.Environment.Variable);
        var updated = await client.UpdatePoolAsync(pool.Id, PoolFile.ToUpdate(file), cancellationToken);
        return Done(context, updated, $"Updated pool {updated.Name}.");
    }
}
