namespace Poddle.Web.Tests.EndToEnd;

/// <summary>
/// A test in real Chromium. Skipped on a developer machine without /usr/bin/chromium; on CI (CI=true) it runs anyway and
/// fails in <see cref="BrowserFixture"/>, because CI installs the browser (scripts/test.sh).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        Skip = Chromium.SkipReason;
    }
}
