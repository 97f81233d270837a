using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Poddle.Agent.Supervisor;

namespace Poddle.Agent.Validation;

/// <summary>What must hold before the app starts.</summary>
/// <remarks>Command: A shell command that must exit 0 (`nginx -t`).</remarks>
public sealed record ValidationSettings(IReadOnlyList<string> RequireFiles, string? Command, IReadOnlyList<int> RequireFreePorts, TimeSpan CommandTimeout);

/// <summary>
/// The validation phase: files that must exist, a command that must succeed, ports that must be free. Returns one
/// message per failed check; an empty list means start.
/// </summary>
public sealed class StartupValidator(ValidationSettings settings, ChildProcesses children)
{
    /// <summary>Runs every check (all of them, so one run reports every problem).</summary>
    public async Task<IReadOnlyList<string>> ValidateAsync(CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        foreach (var file in settings.RequireFiles)
        {
            if (!File.Exists(file) && !Directory.Exists(file))
            {
                failures.Add($"required file {file} does not exist (--require-file)");
            }
        }

        foreach (var port in settings.RequireFreePorts)
        {
            if (!IsPortFree(port, out var reason))
            {
                failures.Add($"port {port} is not free: {reason} (--require-free-port)");
            }
        }

        if (settings.Command is { } command && await RunCommandAsync(command, cancellationToken) is { } failure)
        {
            failures.Add(failure);
        }

        return failures;
    }

    private static bool IsPortFree(int port, out string? reason)
    {
        // Binding is the only reliable test: the port is free when the app could bind it now.
        try
        {
            using var listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
            listener.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
            reason = null;
            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressFamilyNotSupported)
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                listener.Bind(new IPEndPoint(IPAddress.Any, port));
                reason = null;
                return true;
            }
            catch (SocketException inner)
            {
                reason = inner.SocketErrorCode == SocketError.AddressAlreadyInUse ? "already in use" : inner.Message;
                return false;
            }
        }
        catch (SocketException ex)
        {
            reason = ex.SocketErrorCode == SocketError.AddressAlreadyInUse ? "already in use" : ex.Message;
            return false;
        }
    }

    private async Task<string?> RunCommandAsync(string command, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        Process process;
        try
        {
            process = children.Start(start);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return $"validate command `{command}` could not start: {ex.Message} (--validate-command)";
        }

        using (process)
        {
            var output = new StringBuilder();
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.CommandTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                children.Forget(process.Id);
                return $"validate command `{command}` did not finish within {settings.CommandTimeout.TotalSeconds:0} s (--validate-command)";
            }

            children.Forget(process.Id);
            if (process.ExitCode == 0)
            {
                return null;
            }

            output.Append((await stderr).Trim());
            if (output.Length == 0)
            {
                output.Append((await stdout).Trim());
            }

            var tail = output.Length > 500 ? output.ToString()[^500..] : output.ToString();
            return $"validate command `{command}` failed with exit code {process.ExitCode}" + (tail.Length > 0 ? ": " + tail : string.Empty) + " (--validate-command)";
        }
    }
}
