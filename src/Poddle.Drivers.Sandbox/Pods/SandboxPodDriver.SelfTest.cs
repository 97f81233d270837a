using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Poddle.Drivers.Sandbox.Isolation;

namespace Poddle.Drivers.Sandbox.Pods;

// The health self-test: can a pod start here at all? (The README's deploy failed for every user whose data directory
// was 0700 while /readyz said all was well; this is what would have said otherwise.)
public sealed partial class SandboxPodDriver
{
    private static readonly TimeSpan SelfTestTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SelfTestValidity = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _selfTestGate = new(1, 1);
    private (bool Ok, string Detail, DateTimeOffset At)? _selfTest;

    /// <summary>
    /// Starts a throwaway sandbox built exactly as a pod's (same command builder, same state directory, an app directory
    /// made the same way; no cgroup, no supervisor) whose command writes to /app and reads it back, and returns whether it
    /// worked, or what went wrong (bwrap's own message, e.g. "Can't find source path ...: Permission denied").
    /// </summary>
    internal async Task<(bool Ok, string Detail)> SelfTestAsync(CancellationToken cancellationToken)
    {
        if (_commands is null)
        {
            return (false, Isolation.ToString());
        }

        var name = ".self-test-" + Guid.NewGuid().ToString("N")[..8];
        var directory = Path.Join(_options.StateDirectory, name);
        try
        {
            Directory.CreateDirectory(directory);
            File.SetUnixFileMode(directory, SearchableDirectory);
            await PrepareAppDirectoryAsync(null, Path.Join(directory, "app"), cancellationToken);
            var launch = PodLaunch(["/bin/sh", "-c", "echo ok > /app/self-test && cat /app/self-test"], name + "/app", "self-test", null, _options.DefaultMemoryMb, SandboxNetwork.None)
                with { ArgumentsFd = null, Environment = SandboxRunner.Environment };
            var argv = _commands.Build(launch);
            using var process = new Process { StartInfo = SandboxCommandBuilder.StartInfo(argv) };
            await ProcessSpawner.StartAsync(process);
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(SelfTestTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                return (false, $"a test sandbox did not finish within {SelfTestTimeout.TotalSeconds:0} s");
            }

            var output = await stdout;
            var errors = (await stderr).Trim();
            return process.ExitCode == 0 && output == "ok\n"
                ? (true, "ok")
                : (false, $"a test sandbox exited with {process.ExitCode}: {(errors.Length > 0 ? errors : output.Trim())}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return (false, ex.Message);
        }
        finally
        {
            try
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogCleanupFailed(_logger, name, ex);
            }
        }
    }

    private async Task<(bool Ok, string Detail)> CachedSelfTestAsync(CancellationToken cancellationToken)
    {
        await _selfTestGate.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            if (_selfTest is not { } last || now - last.At >= SelfTestValidity)
            {
                var (ok, detail) = await SelfTestAsync(cancellationToken);
                if (!ok)
                {
                    LogSelfTestFailed(_logger, detail);
                }

                _selfTest = last = (ok, detail, now);
            }

            return (last.Ok, last.Detail);
        }
        finally
        {
            _selfTestGate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox pods: the self-test failed: {Detail}")]
    private static partial void LogSelfTestFailed(ILogger logger, string detail);
}
