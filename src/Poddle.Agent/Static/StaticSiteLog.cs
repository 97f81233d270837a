using Microsoft.Extensions.Logging;

namespace Poddle.Agent.Static;

internal static partial class StaticSiteLog
{
    [LoggerMessage(1, LogLevel.Information, "Serving {Root} on {Urls}: {Files} files, {MemoryMB:F1} MB in memory, indexed in {IndexMs} ms")]
    public static partial void Serving(ILogger logger, string root, string urls, int files, double memoryMB, long indexMs);

    [LoggerMessage(2, LogLevel.Warning, "Not served: {Path} leads outside the site directory (symbolic link) or loops")]
    public static partial void Refused(ILogger logger, string path);

    [LoggerMessage(3, LogLevel.Information, "Re-indexed {Root} after a change: {Files} files in {IndexMs} ms")]
    public static partial void Reindexed(ILogger logger, string root, int files, long indexMs);

    [LoggerMessage(4, LogLevel.Error, "Re-indexing {Root} failed; the previous index is kept")]
    public static partial void ReindexFailed(ILogger logger, string root, Exception exception);

    [LoggerMessage(5, LogLevel.Warning, "The site has no index.html: the single-page app fallback and / answer 404")]
    public static partial void NoIndexHtml(ILogger logger);

    [LoggerMessage(7, LogLevel.Warning, "Not watching {Root} for changes ({Reason}): files changed later are not served until a restart")]
    public static partial void NotWatching(ILogger logger, string root, string reason);

    [LoggerMessage(6, LogLevel.Information, "Stopping: waiting up to {Seconds} s for requests in flight")]
    public static partial void Stopping(ILogger logger, double seconds);
}
