namespace Poddle.Web.Tests.EndToEnd;

/// <summary>
/// Debian's `chromium` package, the one browser the end-to-end tests drive: scripts/test.sh installs it, and Playwright
/// never downloads a browser of its own (nothing outside the package registries can be fetched here).
/// </summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>Why the browser tests cannot run here, or null when they can.</summary>
    public static string? Missing => File.Exists(ExecutablePath) ? null : $"needs Debian's chromium ({ExecutablePath}); scripts/test.sh installs it";

    /// <summary>On CI (CI=true) a missing browser fails the tests instead of skipping them: CI installs it.</summary>
    public static string? SkipReason => Environment.GetEnvironmentVariable("CI") == "true" ? null : Missing;
}
