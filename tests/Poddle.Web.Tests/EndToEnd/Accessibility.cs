using System.Globalization;
using System.Text;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Poddle.Web.Tests.EndToEnd;

/// <summary>
/// axe-core (Deque.AxeCore.Playwright) on a page as it is now: any violation of impact serious or critical fails, with
/// each violation's rule id, help text, link and the nodes it found (selector and HTML). Moderate and minor ones are
/// written to the test output only.
/// </summary>
public static class Accessibility
{
    private static readonly string[] Failing = ["serious", "critical"];

    /// <summary>
    /// No finite animation or transition is running (a button that was just enabled again fades its colour in over
    /// MudBlazor's 250 ms transition; axe measuring contrast halfway reports colours the page never rests in). Endless
    /// ones (a progress bar, a cursor) are left alone.
    /// </summary>
    private const string AtRest =
        "() => document.getAnimations().every(a => a.playState !== 'running' || !a.effect || a.effect.getComputedTiming().iterations === Infinity)";

    public static async Task AssertAccessibleAsync(IPage page, ITestOutputHelper? output = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.WaitForFunctionAsync(AtRest, null, new PageWaitForFunctionOptions { PollingInterval = 50, Timeout = 30_000 });
        var result = await page.RunAxe();
        var failing = result.Violations.Where(v => Failing.Contains(v.Impact, StringComparer.OrdinalIgnoreCase)).ToList();
        var other = result.Violations.Except(failing).ToList();
        if (other.Count > 0)
        {
            output?.WriteLine($"axe on {page.Url}: {other.Count} moderate or minor violation(s), not failing:{Environment.NewLine}{Describe(other)}");
        }

        Assert.True(failing.Count == 0, $"axe on {page.Url}: {failing.Count} serious or critical violation(s):{Environment.NewLine}{Describe(failing)}");
    }

    private static string Describe(IEnumerable<AxeResultItem> violations)
    {
        var text = new StringBuilder();
        foreach (var violation in violations)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {violation.Id} ({violation.Impact}): {violation.Help} <{violation.HelpUrl}>");
            foreach (var node in violation.Nodes)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    at {node.Target}: {node.Html}");
            }
        }

        return text.ToString();
    }
}
