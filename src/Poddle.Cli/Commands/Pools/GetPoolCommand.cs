using System.CommandLine;
using System.Globalization;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Pools;

/// <summary>`poddle pools get NAME`: its spec (secret keys only), bounds, scaler and RunPod endpoint.</summary>
internal sealed class GetPoolCommand(CliEnvironment environment, GlobalOptions globals)
    : PoolCommand("get", "Show a pool", environment, globals)
{
    protected override Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, PoolResponse pool, CancellationToken cancellationToken)
    {
        var what = pool.Image ?? string.Join(' ', pool.Command ?? []);
        return Task.FromResult(Done(context, pool, string.Create(CultureInfo.InvariantCulture,
            $"""
            {pool.Name} ({pool.Id}) on {pool.Driver}: {what}
              workers {pool.MinWorkers}-{pool.MaxWorkers}, scaler {pool.Scaler.Type} {pool.Scaler.Value}, idle timeout {pool.IdleTimeout}s, windows up {pool.ScaleUpWindow}s / down {pool.ScaleDownWindow}s
              jobs: execution timeout {pool.ExecutionTimeout}s, ttl {pool.Ttl}s, max retries {pool.MaxRetries}; budget {(pool.BudgetPerHour is { } budget ? "$" + budget.ToString("0.00", CultureInfo.InvariantCulture) + "/hr" : "none")}
              env: {string.Join(", ", pool.Env.Keys)}; secrets: {string.Join(", ", pool.SecretKeys)}
              RunPod endpoint: {pool.ServerlessUrl}
            """)));
    }
}
