using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Pools;

/// <summary>A `poddle pools` command about one pool, named by its name or id (the first argument).</summary>
internal abstract class PoolCommand : CliCommand
{
    private readonly Argument<string> _pool = new("pool") { Description = "The pool's name or id" };

    protected PoolCommand(string name, string description, CliEnvironment environment, GlobalOptions globals)
        : base(name, description, environment, globals)
    {
        Arguments.Add(_pool);
    }

    protected abstract Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, PoolResponse pool, CancellationToken cancellationToken);

    protected sealed override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var client = context.Authenticated();
        var wanted = parse.GetRequiredValue(_pool);
        var pools = await client.ListPoolsAsync(cancellationToken);
        var pool = pools.FirstOrDefault(p => string.Equals(p.Name, wanted, StringComparison.Ordinal) || (Guid.TryParse(wanted, out var id) && p.Id == id))
            ?? throw new CliException($"You have no pool named '{wanted}'. See yours with `poddle pools ls`.");
        return await ExecuteAsync(context, parse, client, pool, cancellationToken);
    }

    /// <summary>Shows the pool (JSON alone on stdout with --json) and a message for people.</summary>
    protected static ExitCode Done(CliContext context, PoolResponse pool, string message)
    {
        context.Output.Result(pool, PoddleJsonContext.Default.PoolResponse, message);
        return ExitCode.Ok;
    }

    /// <summary>The pool file named by --file, else poddle-pool.toml in the working directory.</summary>
    protected static string FilePath(CliContext context, string? file) =>
        Path.GetFullPath(file ?? Poddle.Cli.Pools.PoolFile.DefaultName, context.Environment.WorkingDirectory);
}
