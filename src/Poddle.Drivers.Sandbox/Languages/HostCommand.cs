using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Poddle.Drivers.Sandbox.Languages;

/// <summary>Runs trusted host software outside the sandbox (version queries at discovery).</summary>
internal static partial class HostCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>stdout and stderr together, or null when it cannot be run, fails or takes over 10 s.</summary>
    public static async Task<string?> RunAsync(string path, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return process.ExitCode == 0 ? await stdout + await stderr : null;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>The first "major.minor[.patch]" in a version banner, padded to major.minor.patch ("v20.20.2" → "20.20.2").</summary>
    public static string? ParseVersion(string? banner)
    {
        if (banner is null)
        {
            return null;
        }

        var match = VersionPattern().Match(banner);
        if (!match.Success)
        {
            return null;
        }

        return match.Groups[3].Success ? match.Value : match.Value + ".0";
    }

    [GeneratedRegex(@"(\d+)\.(\d+)(?:\.(\d+))?")]
    private static partial Regex VersionPattern();
}
