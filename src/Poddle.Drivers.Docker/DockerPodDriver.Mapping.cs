using System.Globalization;
using System.Text.Json;
using Docker.DotNet.Models;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Docker;

// The engine's facts in the driver contract's terms: a container's state as a PodStatus, its exit as an ExitResult,
// its stats as PodStats, its published port as a PodEndpoint, and the engine's time formats.
public sealed partial class DockerPodDriver
{
    /// <summary>
    /// Maps the engine's exit facts to an <see cref="ExitResult"/>. The engine reports a container killed by signal N
    /// as exit code 128 + N (137 for SIGKILL, whether by docker stop, docker kill or the OOM killer) and has no separate
    /// signal field, so codes 129-192 are read as signals, the shell's own convention (an app that exits 137 by itself
    /// reads as killed by SIGKILL, as it would in a shell).
    /// </summary>
    internal static ExitResult ToExit(long exitCode, bool oomKilled)
    {
        var code = (int)exitCode;
        int? signal = code is > 128 and <= 128 + 64 ? code - 128 : null;
        return ExitResult.From(code, signal, oomKilled);
    }

    private static ExitResult ToExit(State? state) => ToExit(state?.ExitCode ?? -1, state?.OOMKilled ?? false);

    private PodStatus ToStatus(ContainerInspectResponse container)
    {
        var state = container.State;
        var startedAt = ParseTime(state?.StartedAt);
        var finishedAt = ParseTime(state?.FinishedAt);
        switch (state?.Status)
        {
            case "created":
                return new PodStatus(PodState.Pending, null, null, null, null);
            case "running" or "paused" or "restarting":
                return new PodStatus(PodState.Running, startedAt, null, null, Endpoint(container));
            default:
                // exited, dead, removing: the main process is gone.
                return new PodStatus(PodState.Exited, startedAt, finishedAt, ToExit(state), null);
        }
    }

    private PodEndpoint? Endpoint(ContainerInspectResponse container)
    {
        var port = container.Config?.ExposedPorts?.Keys
            .Select(k => k.Split('/')[0])
            .Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : (int?)null)
            .FirstOrDefault(p => p is not null);
        if (port is not { } containerPort)
        {
            return null;
        }

        var portKey = $"{containerPort}/tcp";
        if (container.NetworkSettings?.Ports is { } ports && ports.TryGetValue(portKey, out var bindings) && bindings?.FirstOrDefault(b => !string.IsNullOrEmpty(b.HostPort)) is { } binding)
        {
            // Published: the engine chose the host port when the container started.
            var host = string.IsNullOrEmpty(binding.HostIP) || binding.HostIP is "0.0.0.0" ? "127.0.0.1" : binding.HostIP is "::" ? "::1" : binding.HostIP;
            return new PodEndpoint(host, int.Parse(binding.HostPort, CultureInfo.InvariantCulture));
        }

        if (container.HostConfig?.NetworkMode is "host")
        {
            return new PodEndpoint("127.0.0.1", containerPort);
        }

        var networks = container.NetworkSettings?.Networks;
        var address = networks is null
            ? null
            : networks.TryGetValue(_options.Network, out var preferred) && !string.IsNullOrEmpty(preferred.IPAddress)
                ? preferred.IPAddress
                : networks.Values.Select(n => n.IPAddress).FirstOrDefault(ip => !string.IsNullOrEmpty(ip));
        return address is null ? null : new PodEndpoint(address, containerPort);
    }

    private static PodStats ToStats(ContainerStatsResponse stats, long memoryLimit)
    {
        var memory = stats.MemoryStats;
        var usage = (long)(memory?.Usage ?? 0);

        // Like `docker stats`: the page cache the kernel can drop is not the app's memory (cgroup v1, then v2 names).
        if (memory?.Stats is { } counters)
        {
            if (counters.TryGetValue("total_inactive_file", out var inactiveV1) && (long)inactiveV1 < usage)
            {
                usage -= (long)inactiveV1;
            }
            else if (counters.TryGetValue("inactive_file", out var inactiveV2) && (long)inactiveV2 < usage)
            {
                usage -= (long)inactiveV2;
            }
        }

        long? rx = null;
        long? tx = null;
        if (stats.Networks is { Count: > 0 } networks)
        {
            rx = networks.Values.Sum(n => (long)n.RxBytes);
            tx = networks.Values.Sum(n => (long)n.TxBytes);
        }

        var read = stats.Read == default ? DateTimeOffset.UtcNow : new DateTimeOffset(DateTime.SpecifyKind(stats.Read, DateTimeKind.Utc));
        return new PodStats(
            read,
            (long)(stats.CPUStats?.CPUUsage?.TotalUsage ?? 0),
            usage,
            memoryLimit > 0 ? memoryLimit : null,
            rx,
            tx);
    }

    private static DateTimeOffset? ParseTime(string? value) =>
        DockerLogReader.TryParseTimestamp(value, out var time) && time.Year > 1
            ? time
            : null;

    private static string FormatUnixTime(DateTimeOffset time)
    {
        // The engine's "seconds.nanoseconds".
        var seconds = Math.DivRem(time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks, TimeSpan.TicksPerSecond, out var ticks);
        return string.Create(CultureInfo.InvariantCulture, $"{seconds}.{ticks * 100:D9}");
    }

    private static string NameOf(ContainerListResponse container) => container.Names?.FirstOrDefault()?.TrimStart('/') ?? container.ID;

    private static string SerializeState(string name) => JsonSerializer.Serialize(new DockerPodState(name), DockerStateJsonContext.Default.DockerPodState);
}
