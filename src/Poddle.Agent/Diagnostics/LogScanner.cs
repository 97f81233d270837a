using System.Text;
using System.Text.RegularExpressions;

namespace Poddle.Agent.Diagnostics;

/// <summary>The last error and warning lines of a log file (the agent's, or any app's).</summary>
public static partial class LogScanner
{
    // Only the end of a log matters; reading all of a multi-gigabyte log would stall diagnose.
    private const int TailBytes = 512 * 1024;

    /// <summary>The last <paramref name="count"/> lines that mention an error or warning, secrets masked.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
    public static IReadOnlyList<string> RecentProblems(string path, int count)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var start = Math.Max(0, stream.Length - TailBytes);
        stream.Seek(start, SeekOrigin.Begin);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var lines = reader.ReadToEnd().Split('\n').Select(l => l.TrimEnd('\r'));
        if (start > 0)
        {
            lines = lines.Skip(1); // the first line was cut in the middle
        }

        return lines.Where(l => Problem().IsMatch(l)).TakeLast(count).Select(SecretMasker.MaskInText).ToList();
    }

    // Words people and loggers use ("error", "ERR", "fail:" and "crit:" of Microsoft's console logger, "warn").
    [GeneratedRegex(@"\b(error|err|errors|fail|failed|failure|fatal|crit|critical|panic|exception|warn|warning)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Problem();
}
