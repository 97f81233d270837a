using System.Diagnostics;
using System.Net;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Docker;

/// <summary>Commands in a running container through the engine's exec API (command health checks).</summary>
public sealed partial class DockerPodDriver
{
    /// <inheritdoc />
    public async Task<PodExecResult> ExecAsync(PodHandle handle, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        CheckHandle(handle);
        if (command.Count == 0 || string.IsNullOrEmpty(command[0]) || command.Any(a => a.Contains('\0', StringComparison.Ordinal)))
        {
            throw new PodDriverException(PodFailureKind.UnsupportedSpec, "exec needs a command: a program and its arguments, without NUL characters");
        }

        return await CallAsync(async () =>
        {
            if (await TryInspectLiveAsync(handle.PodId, cancellationToken) is not { State.Running: true })
            {
                throw new PodDriverException(PodFailureKind.Other, $"docker: container {handle.PodId} is not running");
            }

            ContainerExecCreateResponse created;
            try
            {
                // The container's own user, capabilities and no-new-privileges apply; no stdin, no TTY (stdout and stderr apart).
                created = await _client.Exec.CreateContainerExecAsync(
                    handle.PodId,
                    new ContainerExecCreateParameters { Cmd = [.. command], AttachStdout = true, AttachStderr = true },
                    cancellationToken);
            }
            catch (DockerContainerNotFoundException ex)
            {
                throw NotFound(handle, ex);
            }
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
            {
                throw new PodDriverException(PodFailureKind.Other, $"docker: container {handle.PodId} is not running", ex);
            }

            using var deadline = new CancellationTokenSource(timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            var output = new CappedText(PodExecResult.MaxOutputChars);
            try
            {
                using var stream = await _client.Exec.StartContainerExecAsync(created.ID, new ContainerExecStartParameters { Detach = false }, linked.Token);
                var buffer = new byte[8192];
                while (true)
                {
                    var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, linked.Token);
                    if (read.EOF)
                    {
                        break;
                    }

                    output.Append(buffer.AsSpan(0, read.Count));
                }
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                await KillExecAsync(created.ID);
                return new PodExecResult(-1, output.Text, output.Truncated, TimedOut: true);
            }

            // The output ends when the process exits; the engine records its exit code a moment later.
            var inspect = await _client.Exec.InspectContainerExecAsync(created.ID, cancellationToken);
            for (var attempt = 0; inspect.Running && attempt < 50; attempt++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), _time, cancellationToken);
                inspect = await _client.Exec.InspectContainerExecAsync(created.ID, cancellationToken);
            }

            return new PodExecResult((int)(inspect.ExitCode ?? -1), output.Text, output.Truncated, TimedOut: false);
        });
    }

    /// <summary>
    /// The engine cannot kill an exec; its process is killed by its host pid, which is only right when the engine runs
    /// on this host (a unix socket). Otherwise it runs on, bounded by the container's pids limit, as Docker's own
    /// health checks' processes do.
    /// </summary>
    private async Task KillExecAsync(string execId)
    {
        if (!_options.Endpoint.Scheme.Equals("unix", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var inspect = await _client.Exec.InspectContainerExecAsync(execId, cts.Token);
            if (inspect.Running && inspect.Pid > 1)
            {
                using var process = Process.GetProcessById((int)inspect.Pid);
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or OperationCanceledException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Gone already, or not ours to kill (another pid namespace).
            LogExecKillFailed(_logger, execId, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "docker: killing timed-out exec {ExecId} failed: {Detail}")]
    private static partial void LogExecKillFailed(ILogger logger, string execId, string detail);

    /// <summary>The first characters of a stream of UTF-8 bytes; the rest is only counted.</summary>
    private sealed class CappedText(int maxChars)
    {
        private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
        private readonly StringBuilder _text = new();

        public bool Truncated { get; private set; }

        public string Text => _text.ToString();

        public void Append(ReadOnlySpan<byte> bytes)
        {
            if (Truncated)
            {
                return;
            }

            var chars = new char[_decoder.GetCharCount(bytes, flush: false)];
            var count = _decoder.GetChars(bytes, chars, flush: false);
            var room = maxChars - _text.Length;
            _text.Append(chars, 0, Math.Min(room, count));
            Truncated = count > room;
        }
    }
}
