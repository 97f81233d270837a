using Microsoft.Playwright;

namespace Poddle.Web.Tests.EndToEnd;

/// <summary>
/// Full-page PNGs of a page in light and dark, for a reviewer to look at: `NAME.light.png` and `NAME.dark.png` in
/// <see cref="Directory"/> — $PODDLE_SCREENSHOTS when set (scripts/test.sh sets .ci/out/screenshots, kept with the test
/// results), else `screenshots/` in the test output folder.
/// </summary>
public static class Screenshots
{
    /// <summary>
    /// The layout's light/dark switch: a one-button form posting to /preferences/theme (it sets the theme cookie and
    /// reloads the page), on static and interactive pages alike. Found by the form's action, which is not translated.
    /// </summary>
    public const string ThemeToggle = "form[action='" + Poddle.Web.Localization.PreferenceEndpoints.ThemePath + "'] button[type='submit']";

    /// <summary>Dark when the body's background (MudBlazor's --mud-palette-background) has a luminance under one half.</summary>
    private const string IsDark =
        "() => { const c = getComputedStyle(document.body).backgroundColor.match(/[\\d.]+/g); if (!c) return false; " +
        "const [r, g, b] = c.map(Number); return 0.2126 * r + 0.7152 * g + 0.0722 * b < 128; }";

    private static readonly TimeSpan ThemeTimeout = TimeSpan.FromSeconds(30);

    public static string Directory { get; } = Environment.GetEnvironmentVariable("PODDLE_SCREENSHOTS") is { Length: > 0 } configured
        ? configured
        : Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>
    /// Writes <paramref name="name"/>.light.png and, unless <paramref name="darkToo"/> is false, <paramref name="name"/>.dark.png,
    /// then leaves the page in the theme it had. Dark comes from the layout's switch on an interactive page, or from
    /// prefers-color-scheme on a static one; a page that cannot be made dark fails the call (say darkToo: false there).
    /// Returns the files written.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ScreenshotAsync(IPage page, string name, bool darkToo = true)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.IndexOfAny([.. Path.GetInvalidFileNameChars(), ' ']) >= 0)
        {
            throw new ArgumentException($"'{name}' is not a plain file name (use e.g. learn-problem-k-add).", nameof(name));
        }

        System.IO.Directory.CreateDirectory(Directory);
        var wasDark = await page.EvaluateAsync<bool>(IsDark);
        var written = new List<string>();
        bool[] themes = darkToo ? [false, true] : [false];
        foreach (var dark in themes)
        {
            await SetThemeAsync(page, dark);
            await page.Mouse.MoveAsync(0, 0); // no hover highlight left on the switch
            // From the top: a page scrolled down (a click scrolls its button into view) draws the fixed app bar over the
            // middle of a full-page shot.
            await page.EvaluateAsync("() => window.scrollTo(0, 0)");
            var path = Path.Combine(Directory, $"{name}.{(dark ? "dark" : "light")}.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled });
            written.Add(path);
        }

        await SetThemeAsync(page, wasDark);
        return written;
    }

    /// <summary>
    /// Makes the page light or dark through the layout's switch (a form post: the page reloads, and an interactive page is
    /// waited for until its circuit is back), or the emulated colour scheme on a page without the switch. What the page
    /// showed before the reload (a run's output) is gone afterwards: take the screenshot of such a state first.
    /// </summary>
    public static async Task SetThemeAsync(IPage page, bool dark)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (await page.EvaluateAsync<bool>(IsDark) == dark)
        {
            return;
        }

        var toggle = page.Locator(ThemeToggle).First;
        var wasInteractive = await BlazorCircuit.IsInteractiveAsync(page);
        if (await toggle.CountAsync() > 0)
        {
            // The post answers with a redirect back here: wait for that page load.
            await page.RunAndWaitForResponseAsync(
                () => toggle.ClickAsync(),
                r => r.Request.IsNavigationRequest && r.Request.Method == "GET",
                new PageRunAndWaitForResponseOptions { Timeout = (float)ThemeTimeout.TotalMilliseconds });
            await page.WaitForLoadStateAsync(LoadState.Load);
        }
        else
        {
            await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = dark ? ColorScheme.Dark : ColorScheme.Light });
        }

        try
        {
            await page.WaitForFunctionAsync(dark ? IsDark : $"() => !({IsDark})()", null, new PageWaitForFunctionOptions { PollingInterval = 50, Timeout = (float)ThemeTimeout.TotalMilliseconds });
        }
        catch (TimeoutException e)
        {
            throw new InvalidOperationException(
                $"{page.Url} did not turn {(dark ? "dark" : "light")}: no live light/dark switch ({ThemeToggle}) and the page does not follow prefers-color-scheme. " +
                "Pass darkToo: false for a page that has no dark mode.", e);
        }

        if (wasInteractive)
        {
            await BlazorCircuit.WaitUntilInteractiveAsync(page);
        }
    }
}
