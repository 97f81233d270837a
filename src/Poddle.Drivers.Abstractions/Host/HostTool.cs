using System.ComponentModel;
using System.Diagnostics;

namespace Poddle.Drivers.Abstractions.Host;

/// <summary>What a host tool printed and how it ended.</summary>
/// <param name="ExitCode">The exit status; -1 when the tool could not be started or was killed at its time limit.</param>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error, or why the tool could not run.</param>
public sealed record HostToolResult(int ExitCode, string Output, string Error)
{
    /// <summary>True when the tool ran and exited 0.</summary>
    public bool Succeeded => ExitCode == 0;

    /// <summary>One line for an error message: standard error, else standard output, else the exit status.</summary>
    public string Describe()
    {
        var text = (Error.Length > 0 ? Error : Output).Trim();
        return text.Length > 0 ? text.ReplaceLineEndings(" ") : $"exit status {ExitCode}";
    }
}

/// <summary>
/// Runs trusted host programs that drivers configure the host with (ip, nft, pasta): arguments as a list, never through
/// a shell; an empty environment but PATH; output captured; a time limit after which the program is killed.
/// </summary>
public static class HostTool
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="path"/> to completion. Never throws for a program that fails or is missing.</summary>
    public static async Task<HostToolResult> RunAsync(
        string path, IReadOnlyList<string> arguments, string? standardInput = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (Exception ex) when (ex is Win32Exception or IOException or InvalidOperationException)
        {
            return new HostToolResult(-1, string.Empty, $"{path} could not be started: {ex.Message}");
        }

        if (process is null)
        {
            return new HostToolResult(-1, string.Empty, $"{path} could not be started");
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            try
            {
                if (standardInput is not null)
                {
                    await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken);
                }

                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The program exited without reading its input; its status says why.
            }

            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout ?? DefaultTimeout);
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                cancellationToken.ThrowIfCancellationRequested();
                return new HostToolResult(-1, await stdout, $"{Path.GetFileName(path)} did not finish within {(timeout ?? DefaultTimeout).TotalSeconds:0} s");
            }

            return new HostToolResult(process.ExitCode, await stdout, await stderr);
        }
    }
}
