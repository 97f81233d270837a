using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Poddle.Contracts;

namespace Poddle.Agent.Health;

/// <summary>
/// Writes the health report as indented JSON, atomically: to a temp file in the same directory, then renamed over
/// the report (rename(2) within one filesystem), so a reader sees the old report or the new one, never half of one.
/// A path that cannot be written is logged and returned as a message, never thrown: monitoring goes on without it.
/// </summary>
public sealed partial class HealthReportWriter
{
    public const string DefaultPath = "/tmp/health-report.json";

    private readonly ILogger _logger;

    public HealthReportWriter(string? path = null, ILogger<HealthReportWriter>? logger = null)
    {
        Path = string.IsNullOrWhiteSpace(path) ? DefaultPath : System.IO.Path.GetFullPath(path);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="report"/>; null when written, else why not.</summary>
    public async Task<string?> WriteAsync(AgentHealthReport report, CancellationToken cancellationToken)
    {
        var directory = System.IO.Path.GetDirectoryName(Path) ?? "/";
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
                {
                    JsonSerializer.Serialize(writer, report, PoddleJsonContext.Default.AgentHealthReport);
                }

                await stream.FlushAsync(cancellationToken);

                // The rename must not land before the bytes: flush them to disk first.
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, Path, overwrite: true);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            TryDelete(temp);
            var message = $"cannot write the health report to {Path}: {ex.Message}";
            LogWriteFailed(_logger, Path, ex.Message);
            return message;
        }
    }

    /// <summary>A "report" check for a round's report: healthy when written, else skipped with why.</summary>
    public AgentCheckResult ReportCheck(string? error) =>
        error is null
            ? new AgentCheckResult("report", HealthStatus.Healthy, null, null, null, "written to " + Path)
            : new AgentCheckResult("report", HealthStatus.Skipped, null, null, null, error);

    /// <summary>Reads a report written by <see cref="WriteAsync"/>; null when there is none or it is not a report.</summary>
    public static AgentHealthReport? TryRead(string path, out string? error)
    {
        try
        {
            error = null;
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), PoddleJsonContext.Default.AgentHealthReport);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            error = "no health report at " + path;
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            error = $"cannot read the health report at {path}: {ex.Message}";
            return null;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Nothing more to do: the temp file was never created or cannot be removed either.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot write the health report to {Path}: {Reason}")]
    private static partial void LogWriteFailed(ILogger logger, string path, string reason);
}
