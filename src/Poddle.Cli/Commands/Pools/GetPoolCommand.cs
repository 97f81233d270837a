using System.CommandLine;
using System.Globalization;
using System.Text;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Pools;

/// <summary>
/// `poddle pools get NAME`: its spec (secret keys only), GPUs and disks, bounds, scaler and RunPod endpoint, its live
/// workers and the controller's latest capacity events (a GPU fallback, or no capacity and the back-off).
/// </summary>
internal sealed class GetPoolCommand(CliEnvironment environment, GlobalOptions globals)
    : PoolCommand("get", "Show a pool", environment, globals)
{
    /// <summary>Capacity events shown (newest first); `--json` has every recent event.</summary>
    private const int CapacityEventsShown = 5;

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, PoolResponse listed, CancellationToken cancellationToken)
    {
        // The list has no workers or events; the pool itself has them.
        var pool = await client.GetPoolAsync(listed.Id, cancellationToken);
        var what = pool.Image ?? string.Join(' ', pool.Command ?? []);
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture,
            $"""
            {pool.Name} ({pool.Id}) on {pool.Driver}: {what}
              workers {pool.MinWorkers}-{pool.MaxWorkers}, scaler {pool.Scaler.Type} {pool.Scaler.Value}, idle timeout {pool.IdleTimeout}s, windows up {pool.ScaleUpWindow}s / down {pool.ScaleDownWindow}s
              jobs: execution timeout {pool.ExecutionTimeout}s, ttl {pool.Ttl}s, max retries {pool.MaxRetries}; budget {(pool.BudgetPerHour is { } budget ? "$" + budget.ToString("0.00", CultureInfo.InvariantCulture) + "/hr" : "none")}
              env: {string.Join(", ", pool.Env.Keys)}; secrets: {string.Join(", ", pool.SecretKeys)}
              RunPod endpoint: {pool.ServerlessUrl}
            """));
        if (pool.Gpu is { } gpu)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture,
                $"  gpu: {gpu.Count} x [{string.Join(", ", gpu.Types ?? [])}] in [{string.Join(", ", gpu.CloudTypes ?? [])}], {(gpu.SpotBid is { } bid ? $"spot at ${bid}/GPU-h" : "on demand")}");
        }

        if (pool.Storage is { } storage)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture,
                $"  storage: container disk {storage.ContainerDiskGb?.ToString(CultureInfo.InvariantCulture) ?? "default"} GB, volume {storage.VolumeGb ?? 0} GB at {storage.VolumeMountPath ?? "default"}");
        }

        text.AppendLine().Append(CultureInfo.InvariantCulture, $"  live workers: {pool.Workers?.Count ?? 0}");
        foreach (var capacity in (pool.Events ?? []).Where(e => e.Kind == "capacity").Take(CapacityEventsShown))
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"  {capacity.At:u} {capacity.Reason}: {capacity.Message}");
        }

        return Done(context, pool, text.ToString());
    }
}
