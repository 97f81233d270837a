using System.CommandLine;
using Poddle.Cli.Pools;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Pools;

/// <summary>`poddle pools create [--file poddle-pool.toml]`.</summary>
internal sealed class CreatePoolCommand : CliCommand
{
    private readonly Option<string> _file = new("--file", "-f") { Description = "The pool file (default: poddle-pool.toml here)" };

    public CreatePoolCommand(CliEnvironment environment, GlobalOptions globals)
        : base("create", "Create a worker pool from a pool file", environment, globals)
    {
        Options.Add(_file);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(parse.GetValue(_file) ?? PoolFile.DefaultName, context.Environment.WorkingDirectory);
        var request = PoolFile.Read(path, context.Environment.Variable);
        var pool = await context.Authenticated().CreatePoolAsync(request, cancellationToken);
        context.Output.Result(pool, PoddleJsonContext.Default.PoolResponse,
            $"Created pool {pool.Name} ({pool.Id}), {pool.MinWorkers}-{pool.MaxWorkers} workers. RunPod clients reach it at {pool.ServerlessUrl} with an API token (`poddle tokens create`).");
        return ExitCode.Ok;
    }
}
