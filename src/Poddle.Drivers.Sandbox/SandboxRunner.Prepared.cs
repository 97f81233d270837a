using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Poddle.Drivers.Sandbox.Cgroups;

namespace Poddle.Drivers.Sandbox;

// Prepared ("warm") sandboxes: everything of a run that does not depend on the request is done ahead.
public sealed partial class SandboxRunner
{
    /// <summary>The byte a prepared sandbox's stub writes to stdout once it waits for its go-line.</summary>
    internal const byte ReadyMarker = (byte)'R';

    private readonly Lock _pendingLock = new();
    private readonly HashSet<Task> _pendingCleanups = [];

    /// <summary>
    /// Prepares a sandbox ahead of a request: an empty run directory (mounted read-only at /box), the cgroup with
    /// <paramref name="limits"/>, and bwrap started with <paramref name="command"/>, a stub that writes
    /// <see cref="ReadyMarker"/> to stdout, then blocks reading its go-line from stdin. Returns once the marker is read,
    /// or null (everything cleaned up) when the sandbox did not get ready within <paramref name="readyTimeout"/>.
    /// </summary>
    internal async Task<PreparedSandbox?> PrepareAsync(
        IReadOnlyList<string> command, IReadOnlyList<SandboxBindMount>? readOnlyBinds, SandboxLimits limits, TimeSpan readyTimeout,
        CancellationToken cancellationToken)
    {
        if (Isolation.Level == IsolationLevel.Unavailable)
        {
            return null;
        }

        var runId = RunIds.New();
        RunDirectory? directory = null;
        CgroupRun? cgroup = null;
        Process? process = null;
        try
        {
            directory = RunDirectory.CreateEmpty(WorkRoot, runId);
            cgroup = _cgroups?.CreateRun(LeftoverSweeper.RunCgroupPrefix + runId, limits);
            process = new Process { StartInfo = BuildStartInfo(command, readOnlyBinds, limits, directory.Path, cgroup) };
            await ProcessSpawner.StartAsync(process);
            // A pipe read is not cancellable on Unix: wait for it or the timeout; killing the stub ends the read.
            var marker = new byte[1];
            var reading = process.StandardOutput.BaseStream.ReadAsync(marker, CancellationToken.None).AsTask();
            if (await Task.WhenAny(reading, Task.Delay(readyTimeout, cancellationToken)) != reading)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new OperationCanceledException();
            }

            var read = await reading;
            if (read == 1 && marker[0] == ReadyMarker)
            {
                return new PreparedSandbox(runId, directory, cgroup, process, limits);
            }

            LogPrepareFailure(_logger, runId, read == 0 ? "the stub exited before it was ready" : "the stub wrote something else than its marker");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogPrepareFailure(_logger, runId, $"not ready within {readyTimeout}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or InvalidOperationException or OperationCanceledException)
        {
            if (ex is not OperationCanceledException)
            {
                LogFailure(_logger, runId, ex);
            }
        }

        await DiscardAsync(runId, process, cgroup, directory);
        return null;
    }

    /// <summary>
    /// Runs a request in a prepared sandbox: writes <paramref name="files"/> into its run directory, applies
    /// <paramref name="limits"/> to its cgroup when they differ from the prepared ones, then writes
    /// <paramref name="goLine"/> and <paramref name="stdin"/> and supervises the run like <see cref="RunAsync"/>, with
    /// CPU time counted from now (the stub's start-up is not billed) and wall time from now. The sandbox is used once:
    /// when this returns it is gone. Returns null, with the sandbox gone, when it could not be used (it died while
    /// waiting, or the new limits could not be applied); the caller then runs cold.
    /// </summary>
    internal async Task<SandboxResult?> RunPreparedAsync(
        PreparedSandbox sandbox, IReadOnlyList<SandboxFile> files, SandboxStep step, SandboxLimits limits,
        ReadOnlyMemory<byte> goLine, ReadOnlyMemory<byte> stdin, CancellationToken cancellationToken)
    {
        var problems = limits.Validate().Concat(files.Select(f => RunDirectory.Validate(f.RelativePath)).OfType<string>()).ToList();
        if (problems.Count > 0)
        {
            await DisposePreparedAsync(sandbox);
            throw new ArgumentException(string.Join("; ", problems), nameof(files));
        }

        if (!sandbox.TryClaim() || sandbox.Process.HasExited)
        {
            await DiscardAsync(sandbox.RunId, sandbox.Process, sandbox.Cgroup, sandbox.Directory);
            return null;
        }

        try
        {
            try
            {
                sandbox.Directory.AddFiles(files);
                if (sandbox.Cgroup is not null && limits with { CpuMs = 0, WallMs = 0 } != sandbox.Limits with { CpuMs = 0, WallMs = 0 })
                {
                    sandbox.Cgroup.Apply(limits);
                }
            }
            catch (IOException ex)
            {
                // A memory limit below what the stub already uses cannot be set (EBUSY): the caller runs cold.
                LogPrepareFailure(_logger, sandbox.RunId, "hand-out failed: " + ex.Message);
                return null;
            }

            var baseline = sandbox.Cgroup?.ReadCpuUsage() ?? TimeSpan.Zero;
            var stopwatch = Stopwatch.StartNew();
            var result = await SuperviseAsync(
                sandbox.RunId, sandbox.Process, step, limits, sandbox.Cgroup, stopwatch, baseline, goLine, stdin, cancellationToken);
            LogRun(_logger, sandbox.RunId, result.Verdict, result.CpuMs, result.WallMs, result.MemoryKb);
            return result;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            LogFailure(_logger, sandbox.RunId, ex);
            return Failed(sandbox.RunId, ex.Message);
        }
        finally
        {
            // Every process of the run is dead here (the supervision emptied the cgroup); removing the cgroup and the
            // directory (rmdir can report EBUSY for a few ms) is not on the caller's path. DrainCleanupsAsync awaits it.
            TrackCleanup(DiscardAsync(sandbox.RunId, sandbox.Process, sandbox.Cgroup, sandbox.Directory));
        }
    }

    /// <summary>Waits for the background removal of used prepared sandboxes (at shutdown, and in tests).</summary>
    internal async Task DrainCleanupsAsync()
    {
        Task[] pending;
        lock (_pendingLock)
        {
            pending = [.. _pendingCleanups];
        }

        await Task.WhenAll(pending);
    }

    private void TrackCleanup(Task cleanup)
    {
        lock (_pendingLock)
        {
            _pendingCleanups.Add(cleanup);
        }

        _ = cleanup.ContinueWith(
            t =>
            {
                lock (_pendingLock)
                {
                    _pendingCleanups.Remove(t);
                }
            },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Kills and removes a prepared sandbox that will not be used (recycled, or the pool shuts down).</summary>
    internal async Task DisposePreparedAsync(PreparedSandbox sandbox)
    {
        if (sandbox.TryClaim())
        {
            await DiscardAsync(sandbox.RunId, sandbox.Process, sandbox.Cgroup, sandbox.Directory);
        }
    }

    private async Task DiscardAsync(string runId, Process? process, CgroupRun? cgroup, RunDirectory? directory)
    {
        if (process is not null)
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
                // Never started, or already exited.
            }

            try
            {
                using var wait = new CancellationTokenSource(KillTimeout);
                await process.WaitForExitAsync(wait.Token);
            }
            catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
            {
                // Never started; or the cgroup sweep below does the rest.
            }
        }

        await CleanupAsync(runId, cgroup, directory);
        process?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Prepared sandbox {RunId}: {Reason}")]
    private static partial void LogPrepareFailure(ILogger logger, string runId, string reason);
}

/// <summary>A sandbox started ahead of its request, waiting for its go-line; used once, then destroyed.</summary>
internal sealed class PreparedSandbox(string runId, RunDirectory directory, CgroupRun? cgroup, Process process, SandboxLimits limits)
{
    private int _claimed;

    public string RunId { get; } = runId;

    public RunDirectory Directory { get; } = directory;

    public CgroupRun? Cgroup { get; } = cgroup;

    public Process Process { get; } = process;

    /// <summary>The limits its cgroup was created with.</summary>
    public SandboxLimits Limits { get; } = limits;

    /// <summary>True once it is used or discarded.</summary>
    public bool Claimed => Volatile.Read(ref _claimed) != 0;

    /// <summary>Only the first caller (a run or a disposal) gets it.</summary>
    public bool TryClaim() => Interlocked.Exchange(ref _claimed, 1) == 0;
}
