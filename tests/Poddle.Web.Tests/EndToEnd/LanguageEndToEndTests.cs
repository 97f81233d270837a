using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Poddle.Web.Tests.EndToEnd;

/// <summary>The language menu in the app bar changes the page's text and <c>&lt;html lang&gt;</c>: to Russian and back.</summary>
public sealed class LanguageEndToEndTests(BrowserFixture browser, ITestOutputHelper output) : BrowserTest(browser, output)
{
    [BrowserFact]
    public async Task LanguageMenu_RussianAndBack_ChangesTheMapsText()
    {
        await WebSteps.SignUpAsync(Page, WebPerson.New("lng"));
        await WebSteps.OpenMapAsync(Page);
        await Assertions.Expect(Page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(Page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "My progress" })).ToBeVisibleAsync();

        await ChooseAsync(Page, "ru");
        await Assertions.Expect(Page.Locator("html")).ToHaveAttributeAsync("lang", "ru", new LocatorAssertionsToHaveAttributeOptions { Timeout = WebSteps.Timeout });
        await Assertions.Expect(Page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Мои успехи" })).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = WebSteps.Timeout });
        await Assertions.Expect(Page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "My progress" })).ToHaveCountAsync(0);
        await AssertAccessibleAsync(Page);
        await ScreenshotAsync(Page, "learn-map-ru", darkToo: false);

        await ChooseAsync(Page, "en");
        await Assertions.Expect(Page.Locator("html")).ToHaveAttributeAsync("lang", "en", new LocatorAssertionsToHaveAttributeOptions { Timeout = WebSteps.Timeout });
        await Assertions.Expect(Page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "My progress" })).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = WebSteps.Timeout });
        Assert.Empty(PageErrors);
    }

    /// <summary>Opens the language menu (a &lt;details&gt;) and picks <paramref name="language"/>: a form post that reloads the page.</summary>
    private static async Task ChooseAsync(IPage page, string language)
    {
        await page.Locator("details.shell-menu summary").ClickAsync();
        await page.Locator($"details.shell-menu button[name='language'][value='{language}']").ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.Load);
        await BlazorCircuit.WaitUntilInteractiveAsync(page);
    }
}
