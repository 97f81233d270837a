using Poddle.Drivers.Sandbox.Cgroups;

namespace Poddle.Drivers.Sandbox;

/// <summary>
/// Removes what runs of servers that are gone left behind: a server killed with SIGKILL leaves its runs' cgroups (its
/// runs and prepared sandboxes die with it, through their parent-death signal, but their cgroups stay) and run
/// directories. Only runs whose id names a dead server (<see cref="RunIds"/>) are touched; pods are not runs (their
/// cgroups are <c>pod-*</c>, swept by the pod driver, which knows which pods exist).
/// Runs of an older Poddle, whose ids name no server, are swept when that is safe anyway: an empty cgroup, and a
/// directory untouched for an hour (no run lasts that long).
/// </summary>
internal static class LeftoverSweeper
{
    public const string RunCgroupPrefix = "run-";

    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LegacyDirectoryAge = TimeSpan.FromHours(1);

    public static async Task<SweepResult> SweepRunsAsync(string workRoot, CgroupController? cgroups, TimeProvider time, CancellationToken cancellationToken)
    {
        var result = new SweepResult();
        if (cgroups is not null)
        {
            foreach (var name in cgroups.ListChildren().Where(n => n.StartsWith(RunCgroupPrefix, StringComparison.Ordinal)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var run = cgroups.OpenRun(name);
                var owner = RunIds.OwnerOf(name[RunCgroupPrefix.Length..]);
                if (owner == RunOwner.Gone || (owner == RunOwner.Unknown && run.IsEmpty()))
                {
                    await RemoveCgroupAsync(run, name, result);
                }
            }
        }

        if (!Directory.Exists(workRoot))
        {
            return result;
        }

        foreach (var directory in Directory.EnumerateDirectories(workRoot, RunDirectory.Prefix + "*"))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var owner = RunIds.OwnerOf(Path.GetFileName(directory)[RunDirectory.Prefix.Length..]);
            if (owner == RunOwner.Gone
                || (owner == RunOwner.Unknown && time.GetUtcNow() - Directory.GetLastWriteTimeUtc(directory) > LegacyDirectoryAge))
            {
                try
                {
                    // Written by the host only (the sandbox mounts it read-only); a recursive delete never follows a link.
                    Directory.Delete(directory, recursive: true);
                    result.Removed.Add(directory);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    result.Failures.Add((directory, ex.Message));
                }
            }
        }

        return result;
    }

    /// <summary>Kills whatever is left in a leftover cgroup and removes it.</summary>
    public static async Task RemoveCgroupAsync(CgroupRun run, string name, SweepResult result)
    {
        try
        {
            await run.KillAllAsync(KillTimeout);
            await run.RemoveAsync();
            result.Removed.Add(name);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            result.Failures.Add((name, ex.Message));
        }
    }
}
