using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Poddle.Cli.Commands;

/// <summary>One toolchain on this machine: where it is and the version it reports; null fields when it is missing.</summary>
internal sealed record ToolchainInfo(string Language, string Command, string? Path, string? Version);

/// <summary>
/// Finds the toolchains the sandbox can use by running their version commands. Kept apart so the sandbox's own
/// language discovery can replace it.
/// </summary>
internal static partial class Toolchains
{
    private static readonly (string Language, string Command, string[] Args)[] Known =
    [
        ("python", "python3", ["--version"]),
        ("c", "gcc", ["--version"]),
        ("cpp", "g++", ["--version"]),
        ("javascript", "node", ["--version"]),
        ("java", "javac", ["-version"]),
        ("java", "java", ["-version"]),
        ("rust", "rustc", ["--version"]),
        ("bash", "bash", ["--version"]),
    ];

    public static IReadOnlyList<ToolchainInfo> Detect() =>
        [.. Known.Select(k => Find(k.Command) is { } path ? new ToolchainInfo(k.Language, k.Command, path, VersionOf(path, k.Args)) : new ToolchainInfo(k.Language, k.Command, null, null))];

    /// <summary>The first executable named <paramref name="command"/> on PATH.</summary>
    public static string? Find(string command)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, command);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The first dotted version number the program prints (on stdout or stderr), within five seconds.</summary>
    public static string? VersionOf(string path, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(5_000))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }

            var match = VersionPattern().Match(stdout.Result + "\n" + stderr.Result);
            return match.Success ? match.Value : null;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"\d+(\.\d+)+")]
    private static partial Regex VersionPattern();
}
