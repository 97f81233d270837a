using System.CommandLine;
using System.Globalization;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Pools;

/// <summary>`poddle pools scale NAME [--min N] [--max N]`.</summary>
internal sealed class ScalePoolCommand : PoolCommand
{
    private readonly Option<int?> _min = new("--min") { Description = "Workers kept warm (0 scales to zero when idle)" };
    private readonly Option<int?> _max = new("--max") { Description = "Most workers (at least 1)" };

    public ScalePoolCommand(CliEnvironment environment, GlobalOptions globals)
        : base("scale", "Set a pool's minimum and maximum workers", environment, globals)
    {
        Options.Add(_min);
        Options.Add(_max);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, PoolResponse pool, CancellationToken cancellationToken)
    {
        var min = parse.GetValue(_min);
        var max = parse.GetValue(_max);
        if (min is null && max is null)
        {
            throw CliException.Usage("Give --min, --max or both.");
        }

        var scaled = await client.ScalePoolAsync(pool.Id, new ScalePoolRequest(min, max), cancellationToken);
        return Done(context, scaled, string.Create(CultureInfo.InvariantCulture, $"Pool {scaled.Name} now keeps {scaled.MinWorkers}-{scaled.MaxWorkers} workers."));
    }
}
