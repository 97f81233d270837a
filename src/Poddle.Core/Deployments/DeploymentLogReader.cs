using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Deployments;

/// <summary>A log line of one replica of a deployment.</summary>
public sealed record DeploymentLogLine(Guid ReplicaId, DateTimeOffset Timestamp, string Stream, string Text);

/// <summary>
/// The output of a deployment's replicas (<see cref="IPodLogSource"/>), merged: the last lines across all replicas,
/// oldest first, and a follow stream to which replicas started later (restarts, rollouts, scale-up) join.
/// Scoped to the caller: another owner's deployment is not found.
/// </summary>
public sealed class DeploymentLogReader(
    PoddleDbContext db,
    IServiceScopeFactory scopes,
    PodDriverRegistry drivers,
    ReplicaPods pods)
{
    /// <summary>How often a follow looks for replicas that started since.</summary>
    public static readonly TimeSpan JoinPoll = TimeSpan.FromSeconds(1);

    /// <summary>Whether <paramref name="ownerId"/> owns the deployment.</summary>
    public Task<bool> IsOwnedByAsync(Guid ownerId, Guid deploymentId, CancellationToken cancellationToken) =>
        db.Deployments.AnyAsync(d => d.Id == deploymentId && d.OwnerId == ownerId, cancellationToken);

    /// <summary>The replicas of a deployment that have a pod (running or exited, not destroyed).</summary>
    public Task<List<Replica>> ReplicasWithPodsAsync(Guid deploymentId, CancellationToken cancellationToken) =>
        ReplicasAsync(db, deploymentId, cancellationToken);

    /// <summary>The last <paramref name="tail"/> lines at or after <paramref name="since"/> across the deployment's replicas, oldest first.</summary>
    public async Task<IReadOnlyList<DeploymentLogLine>> ReadAsync(Guid deploymentId, int tail, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var lines = new List<DeploymentLogLine>();
        foreach (var replica in await ReplicasAsync(db, deploymentId, cancellationToken))
        {
            if (drivers.Find(replica.Driver) is not IPodLogSource source || await pods.HandleAsync(replica, cancellationToken) is not { } handle)
            {
                continue;
            }

            try
            {
                await foreach (var line in source.ReadLogsAsync(handle, new PodLogQuery(tail, since), cancellationToken))
                {
                    lines.Add(new DeploymentLogLine(replica.Id, line.Timestamp, line.Stream, line.Text));
                }
            }
            catch (PodDriverException)
            {
                // The pod went away between the listing and the read (a restart replaced it, a scale-down removed it):
                // the other replicas' lines, and what was read of this one, are still the answer, not an error.
            }
        }

        return [.. lines.OrderBy(l => l.Timestamp).TakeLast(tail)];
    }

    /// <summary>
    /// Follows every replica's output until cancelled: existing pods from now on (or from <paramref name="since"/>),
    /// pods that start later from their first line.
    /// </summary>
    public async IAsyncEnumerable<DeploymentLogLine> FollowAsync(Guid deploymentId, DateTimeOffset? since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<DeploymentLogLine>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var followed = new HashSet<string>(StringComparer.Ordinal);
        var readers = new List<Task>();
        var first = true;
        var poller = Task.Run(
            async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await using (var scope = scopes.CreateAsyncScope())
                    {
                        var scopedDb = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
                        foreach (var replica in await ReplicasAsync(scopedDb, deploymentId, stop.Token))
                        {
                            if (drivers.Find(replica.Driver) is not IPodLogSource source || !followed.Add(replica.PodId!))
                            {
                                continue;
                            }

                            var handle = (await pods.HandleAsync(replica, stop.Token))!;
                            var query = first ? new PodLogQuery(since is null ? 0 : null, since, Follow: true) : new PodLogQuery(Follow: true);
                            readers.Add(Task.Run(() => PumpAsync(source, handle, replica.Id, query, channel.Writer, stop.Token), CancellationToken.None));
                        }
                    }

                    first = false;
                    await Task.Delay(JoinPoll, stop.Token);
                }
            },
            CancellationToken.None);

        try
        {
            await foreach (var line in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return line;
            }
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await poller;
            }
            catch (OperationCanceledException)
            {
                // Stopped by the caller.
            }
        }
    }

    private static async Task PumpAsync(IPodLogSource source, PodHandle handle, Guid replicaId, PodLogQuery query, ChannelWriter<DeploymentLogLine> writer, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var line in source.ReadLogsAsync(handle, query, cancellationToken))
            {
                await writer.WriteAsync(new DeploymentLogLine(replicaId, line.Timestamp, line.Stream, line.Text), cancellationToken);
            }
        }
        catch (Exception)
        {
            // The pod went away or the follower was cancelled: this replica's stream ends, the others go on.
        }
    }

    private static Task<List<Replica>> ReplicasAsync(PoddleDbContext context, Guid deploymentId, CancellationToken cancellationToken) =>
        context.Replicas.AsNoTracking()
            .Where(r => r.DeploymentId == deploymentId && r.PodId != null && r.Phase != ReplicaPhase.Stopped)
            .OrderBy(r => r.CreatedAt)
            .ToListAsync(cancellationToken);
}
