using System.Globalization;
using System.Text.RegularExpressions;
using Poddle.Drivers.Sandbox.Pods;

namespace Poddle.Drivers.Sandbox;

/// <summary>
/// Run ids, which name the run's cgroup (<c>run-ID</c>) and directory (<c>poddle-run-ID</c>), start with the server that
/// started the run: "{pid}.{start time}-{12 hex}", the start time being field 22 of /proc/PID/stat (the guard against pid
/// reuse). So what a server killed with SIGKILL left behind can be told, at the next start of any server, from the
/// runs of a server that is still alive, even when several servers share the work root and the cgroup parent.
/// </summary>
internal static partial class RunIds
{
    /// <summary>This process: "{pid}.{start time}".</summary>
    public static string OwnerTag { get; } = string.Create(
        CultureInfo.InvariantCulture, $"{Environment.ProcessId}.{ProcTable.Read(Environment.ProcessId)?.StartTicks ?? 0}");

    public static string New() => OwnerTag + "-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Who started the run with this id: a living server, one that is gone, an older Poddle (ids of 16 hex, no owner), or not a run id.</summary>
    public static RunOwner OwnerOf(string runId)
    {
        var match = Pattern().Match(runId);
        if (match.Success)
        {
            var pid = int.Parse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture);
            var startTicks = long.Parse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture);
            return ProcTable.IsAlive(pid, startTicks) ? RunOwner.Alive : RunOwner.Gone;
        }

        return LegacyPattern().IsMatch(runId) ? RunOwner.Unknown : RunOwner.NotARun;
    }

    [GeneratedRegex(@"^([0-9]{1,10})\.([0-9]{1,19})-[0-9a-f]{12}$")]
    private static partial Regex Pattern();

    [GeneratedRegex("^[0-9a-f]{16}$")]
    private static partial Regex LegacyPattern();
}
