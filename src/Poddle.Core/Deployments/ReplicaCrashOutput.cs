using System.Text;
using Microsoft.Extensions.Logging;
using Poddle.Core.Common;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Deployments;

/// <summary>
/// What a crashed replica last wrote to standard error, for its ReplicaCrashed event (and so for `poddle deploy` and
/// `poddle events`): the stderr lines among the pod's last <see cref="ScanLines"/> lines, at most <see cref="MaxLines"/>
/// of them, control characters removed and each cut at <see cref="MaxLineLength"/>. Every secret value of the replica's
/// revision is replaced by <see cref="Mask"/> (longest first, so a secret that contains another is masked whole): an app
/// that prints its environment never puts a secret into an event. Best effort: a driver without logs, or logs that
/// cannot be read, give no lines and the crash is recorded all the same.
/// </summary>
public sealed partial class ReplicaCrashOutput(SecretProtector secrets, ILogger<ReplicaCrashOutput> logger)
{
    public const int MaxLines = 10;
    public const int ScanLines = 200;
    public const int MaxLineLength = 300;
    public const string Mask = "***";
    public const string StderrStream = "stderr";

    /// <summary>The last stderr lines of <paramref name="handle"/>'s pod, secrets of <paramref name="revision"/> masked.</summary>
    public async Task<IReadOnlyList<string>> ReadAsync(IPodDriver driver, PodHandle handle, DeploymentRevision revision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(revision);
        if (driver is not IPodLogSource source)
        {
            return [];
        }

        var lines = new List<string>();
        try
        {
            await foreach (var line in source.ReadLogsAsync(handle, new PodLogQuery(ScanLines), cancellationToken))
            {
                if (line.Stream == StderrStream)
                {
                    lines.Add(line.Text);
                }
            }
        }
#pragma warning disable CA1031 // Best effort by design (see the summary): whatever the driver throws, the crash is still recorded.
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            LogUnreadable(logger, ex, handle.PodId);
            return [];
        }

        return Clean(lines.TakeLast(MaxLines), secrets.Unprotect(revision.SecretsCiphertext).Values);
    }

    /// <summary>Masks every secret value and removes what does not belong in an event (control characters, overlong lines).</summary>
    public static IReadOnlyList<string> Clean(IEnumerable<string> lines, IEnumerable<string> secretValues)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(secretValues);
        var masks = secretValues.Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(v => v.Length).ToList();
        var cleaned = new List<string>();
        foreach (var line in lines)
        {
            // Masked before cutting, so a secret split by the cut cannot leave a readable half behind.
            var text = line;
            foreach (var secret in masks)
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }

            var builder = new StringBuilder(Math.Min(text.Length, MaxLineLength));
            foreach (var c in text)
            {
                if (builder.Length == MaxLineLength)
                {
                    builder.Append('…');
                    break;
                }

                builder.Append(c == '\t' ? ' ' : char.IsControl(c) ? '?' : c);
            }

            cleaned.Add(builder.ToString().TrimEnd());
        }

        return cleaned;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the output of crashed pod {PodId}; its crash event has no stderr lines")]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string podId);
}
