using System.Text.Json;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Sandbox.Pods;

// A pod's state on disk (state.json, exit, in its directory under the state directory) and what it says now: the
// record and the supervisor's liveness and exit file together give Pending, Running, Exited or NotFound.
public sealed partial class SandboxPodDriver
{
    /// <summary>The pod's directory (state.json, log, log.1, exit, app); for tests and operators.</summary>
    internal string PodDirectory(string podId) => Path.Join(_options.StateDirectory, podId);

    private static bool IsPodId(string podId) =>
        podId.Length == PodIdPrefix.Length + 12 && podId.StartsWith(PodIdPrefix, StringComparison.Ordinal)
        && !podId.AsSpan(PodIdPrefix.Length).ContainsAnyExcept(HexDigits);

    private static PodHandle Handle(PodRecord record) => new(
        DriverName,
        record.PodId,
        1,
        JsonSerializer.Serialize(new PodHandleState(record.SupervisorPid, record.SupervisorStartTicks, record.Cgroup, record.Port), PodJsonContext.Default.PodHandleState),
        record.Labels);

    private PodRecord? ReadRecord(string podId)
    {
        if (!IsPodId(podId))
        {
            return null;
        }

        try
        {
            var record = JsonSerializer.Deserialize(File.ReadAllText(Path.Join(PodDirectory(podId), "state.json")), PodJsonContext.Default.PodRecord);
            return record?.PodId == podId ? record : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private PodExitRecord? ReadExit(string podId)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(Path.Join(PodDirectory(podId), "exit")), PodJsonContext.Default.PodExitRecord);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private PodStatus ObserveRecord(PodRecord record)
    {
        var exit = ReadExit(record.PodId);
        if (exit is null && record.SupervisorPid == 0)
        {
            return new PodStatus(PodState.Pending, null, null, null, null);
        }

        if (exit is null && ProcTable.IsAlive(record.SupervisorPid, record.SupervisorStartTicks))
        {
            var endpoint = record.Port is { } port ? new PodEndpoint("127.0.0.1", port) : null;
            return new PodStatus(PodState.Running, record.StartedAt, null, null, endpoint);
        }

        // The supervisor is gone: it wrote its exit file just before exiting, unless it was killed.
        exit ??= ReadExit(record.PodId);
        var oom = record.Cgroup is { } name && _cgroups?.OpenRun(name) is { } cgroup && cgroup.Exists() && cgroup.ReadOomKills() > 0;
        if (exit is null)
        {
            return new PodStatus(
                PodState.Exited, record.StartedAt, null, ExitResult.From(-1, null, oom) with { Reason = oom ? "OOMKilled" : "lost: the pod's supervisor was killed" }, null);
        }

        // bwrap (and unshare) report a command killed by signal N as exit status 128+N, as a shell does.
        var signal = exit.Signal ?? (exit.Code is > 128 and <= 128 + 64 ? exit.Code - 128 : null);
        return new PodStatus(
            PodState.Exited, record.StartedAt, DateTimeOffset.UnixEpoch.AddTicks(exit.FinishedAtUs * 10), ExitResult.From(exit.Code, signal, oom), null);
    }

    private static List<ProcEntry> AppProcesses(PodRecord record) =>
        ProcTable.Descendants(record.SupervisorPid).Where(p => !Plumbing.Contains(p.Command, StringComparer.Ordinal)).ToList();

    private static void WriteAtomically(string path, string text)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}
