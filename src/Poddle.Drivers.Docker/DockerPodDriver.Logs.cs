using System.Globalization;
using System.Runtime.CompilerServices;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Docker;

/// <summary>
/// Logs, and the replica's previous container kept for them. A container's output lives with the container (json-file,
/// rotated at Docker:LogMaxSizeMb × Docker:LogMaxFiles), so a restart that replaced it would lose why it stopped. A
/// container destroyed for a restart (<see cref="DestroyForRestartAsync"/>) is therefore stopped and renamed
/// "&lt;name&gt;.prev-&lt;unix seconds&gt;" instead of removed: invisible as a pod (not listed, inspect says not found),
/// its lines come first in the logs of the replica's next container, and it is removed at the replica's next restart,
/// with the replica, or (when a crash left it behind) by a listing once its replica has been gone for a while.
/// </summary>
public sealed partial class DockerPodDriver
{
    private const string KeptMarker = ".prev-";

    /// <summary>How long a kept container whose replica has no container any more waits before a listing removes it.</summary>
    private static readonly TimeSpan KeptWithoutReplica = TimeSpan.FromMinutes(5);

    /// <inheritdoc />
    public async IAsyncEnumerable<PodLogLine> ReadLogsAsync(PodHandle handle, PodLogQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        CheckHandle(handle);

        // The previous container's lines belong to a window onto the replica's output (a tail, a since), not to a
        // follow that joins a new container from its first line (it would repeat what was followed already).
        var previous = query is { Follow: true, Tail: null, Since: null } || !handle.Labels.TryGetValue(PodLabels.Replica, out var replica)
            ? null
            : (await CallAsync(() => ListKeptPreviousAsync(replica, cancellationToken))).Where(c => c.ID != handle.PodId).MaxBy(c => c.Created);
        if (previous is null)
        {
            await foreach (var line in ReadContainerLogsAsync(handle, handle.PodId, query, cancellationToken))
            {
                yield return line;
            }

            yield break;
        }

        if (query.Follow)
        {
            // Up to the tail from each: the current container's count is not known before its follow starts.
            await foreach (var line in ReadContainerLogsAsync(handle, previous.ID, query with { Follow = false }, cancellationToken))
            {
                yield return line;
            }

            await foreach (var line in ReadContainerLogsAsync(handle, handle.PodId, query, cancellationToken))
            {
                yield return line;
            }

            yield break;
        }

        var current = new List<PodLogLine>();
        await foreach (var line in ReadContainerLogsAsync(handle, handle.PodId, query, cancellationToken))
        {
            current.Add(line);
        }

        if (query.Tail is not { } tail || tail > current.Count)
        {
            await foreach (var line in ReadContainerLogsAsync(handle, previous.ID, query with { Tail = query.Tail - current.Count }, cancellationToken))
            {
                yield return line;
            }
        }

        foreach (var line in current)
        {
            yield return line;
        }
    }

    /// <inheritdoc />
    public async Task DestroyForRestartAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        CheckHandle(handle);
        await CallAsync(async () =>
        {
            var container = await TryInspectAsync(handle.PodId, cancellationToken);
            var name = container?.Name?.TrimStart('/') ?? string.Empty;
            if (container is null || IsKeptPrevious(name))
            {
                return true;
            }

            if (!_options.KeepPreviousContainer || Label(container.Config?.Labels, PodLabels.Replica) is not { } replica)
            {
                await RemoveAsync(handle.PodId, cancellationToken);
                return true;
            }

            try
            {
                if (container.State?.Running == true)
                {
                    await _client.Containers.KillContainerAsync(handle.PodId, new ContainerKillParameters { Signal = "KILL" }, cancellationToken);
                }

                // One kept container per replica: the one this restart replaces.
                foreach (var older in await ListKeptPreviousAsync(replica, cancellationToken))
                {
                    await RemoveAsync(older.ID, cancellationToken);
                }

                var seconds = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                await _client.Containers.RenameContainerAsync(handle.PodId, new ContainerRenameParameters { NewName = name + KeptMarker + seconds }, cancellationToken);
            }
            catch (DockerApiException ex) when (ex.StatusCode is not System.Net.HttpStatusCode.ServiceUnavailable)
            {
                // Keeping is a courtesy: a container that cannot be kept (exited mid-kill, removal in progress) is destroyed.
                LogKeepFailed(_logger, handle.PodId, Describe(ex));
                await RemoveAsync(handle.PodId, cancellationToken);
            }

            return true;
        });
    }

    /// <summary>True for the name of a container kept for its logs (fresh container names have no '.').</summary>
    internal static bool IsKeptPrevious(string name) => name.Contains(KeptMarker, StringComparison.Ordinal);

    /// <summary>The containers kept for the logs of <paramref name="replica"/>.</summary>
    private async Task<List<ContainerListResponse>> ListKeptPreviousAsync(string replica, CancellationToken cancellationToken)
    {
        var containers = await _client.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["label"] = new Dictionary<string, bool> { [$"{PodLabels.Replica}={replica}"] = true },
                },
            },
            cancellationToken);
        return [.. containers.Where(c => IsKeptPrevious(NameOf(c)) && Label(c.Labels, PodLabels.Replica) == replica)];
    }

    /// <summary>
    /// Removes kept containers whose replica has no container in the same listing any more, once they have waited
    /// <see cref="KeptWithoutReplica"/> (a server killed between a restart's destroy and start leaves one behind).
    /// Best effort: a listing never fails for it.
    /// </summary>
    private async Task RemoveAbandonedPreviousAsync(List<ContainerListResponse> kept, HashSet<string> liveReplicas, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        foreach (var container in kept)
        {
            var name = NameOf(container);
            var keptAt = long.TryParse(name[(name.LastIndexOf(KeptMarker, StringComparison.Ordinal) + KeptMarker.Length)..], NumberStyles.None, CultureInfo.InvariantCulture, out var at) ? at : 0;
            if (liveReplicas.Contains(Label(container.Labels, PodLabels.Replica) ?? string.Empty) || now - keptAt < KeptWithoutReplica.TotalSeconds)
            {
                continue;
            }

            try
            {
                await RemoveAsync(container.ID, cancellationToken);
            }
            catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException)
            {
                LogCleanupFailed(_logger, container.ID, Describe(ex));
            }
        }
    }

    private async IAsyncEnumerable<PodLogLine> ReadContainerLogsAsync(PodHandle handle, string containerId, PodLogQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parameters = new ContainerLogsParameters
        {
            ShowStdout = true,
            ShowStderr = true,
            Timestamps = true,
            Follow = query.Follow,
            Tail = query.Tail is { } tail ? Math.Max(tail, 0).ToString(CultureInfo.InvariantCulture) : "all",
        };
        if (query.Since is { } since)
        {
            parameters.Since = FormatUnixTime(since);
        }

        var stream = await CallAsync(async () =>
        {
            try
            {
                return await _client.Containers.GetContainerLogsAsync(containerId, parameters, cancellationToken);
            }
            catch (DockerContainerNotFoundException ex)
            {
                throw NotFound(handle, ex);
            }
            catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                // "can not get logs from container which is dead or marked for removal": as good as gone.
                throw NotFound(handle, ex);
            }
        });
        using (stream)
        {
            var reader = new DockerLogReader(stream, MaxLineChars);
            await foreach (var line in reader.ReadAsync(cancellationToken))
            {
                // Both sides truncated to 100 ns ticks: this only trims the lines the engine kept within that edge.
                if (query.Since is { } from && line.Timestamp < from)
                {
                    continue;
                }

                yield return line;
            }
        }
    }

    private static string? Label(IDictionary<string, string>? labels, string key) =>
        labels is not null && labels.TryGetValue(key, out var value) ? value : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "docker: keeping container {Id} for its logs failed, so it was removed: {Detail}")]
    private static partial void LogKeepFailed(ILogger logger, string id, string detail);
}
