using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Poddle.Web.Tests.EndToEnd;

/// <summary>
/// `/` in Debian's Chromium against the real `poddle serve`: the proof that the browser test set-up works end to end (the
/// program serves the web app and its static web assets, the circuit connects, axe runs, screenshots are written).
/// </summary>
public sealed class HomeEndToEndTests(BrowserFixture browser, ITestOutputHelper output) : BrowserTest(browser, output)
{
    [BrowserFact]
    public async Task Home_InChromiumAgainstTheRealServer_RendersTheMudBlazorLayoutWithItsStyles()
    {
        // Home is a static page (no circuit): the welcome for a visitor who is not signed in.
        var response = await Page.GotoAsync(WebPaths.Home);

        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        Assert.Equal("Poddle", await Page.TitleAsync());
        Assert.Equal("Learn to code with Poddle", await Page.Locator("h1").InnerTextAsync());
        Assert.Equal("en", await Page.Locator("html").GetAttributeAsync("lang"));
        // MudBlazor.min.css (a static web asset of a package, served by the program from _content/MudBlazor/) makes the
        // app bar, a <header>, a column flex box; without the stylesheet it is display: block.
        var appBar = Page.Locator("header.mud-appbar");
        Assert.Equal("flex", await appBar.EvaluateAsync<string>("e => getComputedStyle(e).display"));
        Assert.Equal("column", await appBar.EvaluateAsync<string>("e => getComputedStyle(e).flexDirection"));
        // Every stylesheet the document links loaded and has rules (a 404 would leave sheet null or empty).
        var sheets = await Page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.getAttribute('href') + ' ' + (l.sheet ? l.sheet.cssRules.length : -1))");
        Assert.Contains(sheets, s => s.StartsWith("_content/MudBlazor/MudBlazor.min", StringComparison.Ordinal));
        Assert.All(sheets, s => Assert.True(int.Parse(s[(s.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture) > 0, s));
        Assert.Empty(PageErrors);
    }

    [BrowserFact]
    public async Task Home_Axe_HasNoSeriousOrCriticalViolations()
    {
        await Page.GotoAsync(WebPaths.Home);

        await AssertAccessibleAsync(Page);
    }

    [BrowserFact]
    public async Task Home_Screenshot_WritesLightAndDarkThroughTheLayoutsSwitch()
    {
        await Page.GotoAsync(WebPaths.Home);
        var light = await BodyBackgroundAsync(Page);

        var written = await Screenshots.ScreenshotAsync(Page, "home");

        Assert.Equal(["home.light.png", "home.dark.png"], written.Select(Path.GetFileName));
        foreach (var path in written)
        {
            var bytes = await File.ReadAllBytesAsync(path);
            Assert.True(bytes.Length > 1000, $"{path} has {bytes.Length} bytes");
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        }

        Assert.NotEqual(await File.ReadAllBytesAsync(written[0]), await File.ReadAllBytesAsync(written[1]));
        Assert.Equal(light, await BodyBackgroundAsync(Page)); // left as it was
        // Dark went through the layout's switch (a form that sets the theme cookie): switch it once more by hand, and the
        // choice outlives a fresh load of the page.
        await Page.Locator(Screenshots.ThemeToggle).First.ClickAsync();
        await Page.WaitForFunctionAsync($"() => getComputedStyle(document.body).backgroundColor !== '{light}'");
        await Page.ReloadAsync();
        Assert.NotEqual(light, await BodyBackgroundAsync(Page));
        Assert.Empty(PageErrors);
    }

    private static Task<string> BodyBackgroundAsync(IPage page) => page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
}
