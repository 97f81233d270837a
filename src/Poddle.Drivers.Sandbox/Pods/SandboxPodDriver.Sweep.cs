namespace Poddle.Drivers.Sandbox.Pods;

// The sweep at start: what pods of this state directory that are gone left behind.
public sealed partial class SandboxPodDriver
{
    /// <summary>
    /// Removes what pods of this state directory that are gone left behind: a cgroup whose pod has no <c>state.json</c>
    /// any more (a server killed while destroying it; the state directory deleted under living pods), after killing what
    /// is still in it, and a pod directory without <c>state.json</c> untouched for 10 minutes. A pod that exists, running
    /// or not, is never touched (pods outlive the server on purpose, ADR 0007), nor a pod of another state directory.
    /// </summary>
    public async Task<int> SweepLeftoversAsync(CancellationToken cancellationToken)
    {
        var result = new SweepResult();
        foreach (var name in _cgroups?.ListChildren().Where(n => n.StartsWith(_cgroupPrefix, StringComparison.Ordinal)) ?? [])
        {
            cancellationToken.ThrowIfCancellationRequested();
            var podId = name[_cgroupPrefix.Length..];
            if (!IsPodId(podId) || !File.Exists(Path.Join(PodDirectory(podId), "state.json")))
            {
                await LeftoverSweeper.RemoveCgroupAsync(_cgroups!.OpenRun(name), name, result);
            }
        }

        foreach (var directory in Directory.EnumerateDirectories(_options.StateDirectory, PodIdPrefix + "*"))
        {
            if (IsPodId(Path.GetFileName(directory)) && !File.Exists(Path.Join(directory, "state.json"))
                && _time.GetUtcNow() - Directory.GetLastWriteTimeUtc(directory) > AbandonedDirectoryAge)
            {
                try
                {
                    Directory.Delete(directory, recursive: true);
                    result.Removed.Add(directory);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    result.Failures.Add((directory, ex.Message));
                }
            }
        }

        if (IsolatesNetworks)
        {
            // Network namespaces (and their pasta) of pods whose directory is gone.
            await _networks.SweepAsync(podId => Directory.Exists(PodDirectory(podId)), cancellationToken);
        }

        return result.Log(_logger, "pods that are gone");
    }
}
