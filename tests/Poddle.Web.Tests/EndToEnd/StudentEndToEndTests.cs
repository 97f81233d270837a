using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Poddle.Web.Tests.EndToEnd;

/// <summary>
/// A student in Chromium against the real `poddle serve` and its real sandbox: signs up, picks an age group, opens k-add,
/// runs code with input, submits a wrong answer (hidden cases show nothing of their content, in the DOM or the page's
/// source), submits a right one, and finds k-add solved on the level map and the progress page. axe and light and dark
/// screenshots on every page on the way.
/// </summary>
public sealed partial class StudentEndToEndTests(BrowserFixture browser, ITestOutputHelper output) : BrowserTest(browser, output)
{
    private const string RunCode = "a, b = input().split()\nprint(int(a) + int(b))\n";

    [BrowserFact]
    public async Task Student_SignsUpRunsAndSubmitsK_Add_SolvesItWithoutSeeingHiddenCases()
    {
        var student = WebPerson.New("stu");
        await Page.GotoAsync(WebPaths.SignUp);
        await AssertAccessibleAsync(Page);
        await ScreenshotAsync(Page, "signup");
        await WebSteps.SignUpAsync(Page, student);

        // The level map: the first visit asks for the age group.
        await WebSteps.OpenMapAsync(Page);
        await Assertions.Expect(Page.Locator($"li[data-problem='{WebSteps.Problem}']")).ToHaveAttributeAsync("data-status", "new");
        await AssertAccessibleAsync(Page);
        await ScreenshotAsync(Page, "learn-map");

        // Run with input.
        await WebSteps.OpenProblemAsync(Page);
        await WebSteps.SetCodeAsync(Page, RunCode);
        await Page.GetByLabel("Input for Run").FillAsync("2 3");
        await Page.Locator("#learn-run").ClickAsync();
        await Assertions.Expect(Page.Locator("#learn-stdout")).ToHaveTextAsync(OnlyFive(), WebSteps.TextWithin);
        await Assertions.Expect(Page.Locator("#learn-submit")).ToBeEnabledAsync(new LocatorAssertionsToBeEnabledOptions { Timeout = WebSteps.Timeout });
        await AssertAccessibleAsync(Page);
        await ScreenshotAsync(Page, "learn-problem");

        // A wrong answer: the public cases pass, two hidden ones fail; the hidden ones show only passed / not passed.
        await WebSteps.OpenProblemAsync(Page);
        await WebSteps.SetCodeAsync(Page, WebSteps.WrongAnswer);
        await Page.Locator("#learn-submit").ClickAsync();
        await Assertions.Expect(Page.Locator("#learn-score")).ToHaveTextAsync("5 of 7 tests passed", WebSteps.TextWithin);
        await Assertions.Expect(Page.Locator("#learn-run")).ToBeEnabledAsync(new LocatorAssertionsToBeEnabledOptions { Timeout = WebSteps.Timeout }); // the page is done
        await Assertions.Expect(Page.Locator("tr[data-hidden='true']")).ToHaveCountAsync(4);
        await Assertions.Expect(Page.Locator("tr[data-hidden='false']")).ToHaveCountAsync(3);
        Assert.Contains("add(10, 25)", await Page.ContentAsync(), StringComparison.Ordinal); // public cases do show
        await WebSteps.AssertNotInPageAsync(Page, WebSteps.HiddenCaseContent);
        await AssertAccessibleAsync(Page);
        await ScreenshotAsync(Page, "learn-problem-graded", darkToo: false);

        // The right answer.
        await WebSteps.OpenProblemAsync(Page);
        await WebSteps.SetCodeAsync(Page, WebSteps.RightAnswer);
        await Page.Locator("#learn-submit").ClickAsync();
        await Assertions.Expect(Page.Locator("#learn-solved")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = WebSteps.Timeout });
        await Assertions.Expect(Page.Locator("tr[data-case]")).ToHaveCountAsync(7);
        await WebSteps.AssertNotInPageAsync(Page, WebSteps.HiddenCaseContent);

        // Solved on the map and on the progress page.
        await WebSteps.OpenMapAsync(Page);
        await Assertions.Expect(Page.Locator($"li[data-problem='{WebSteps.Problem}']")).ToHaveAttributeAsync(
            "data-status", "solved", new LocatorAssertionsToHaveAttributeOptions { Timeout = WebSteps.Timeout });
        await Assertions.Expect(Page.Locator($"li[data-problem='{WebSteps.Problem}']")).ToContainTextAsync("solved");

        await BlazorCircuit.GotoInteractiveAsync(Page, WebPaths.Progress);
        await Assertions.Expect(Page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = WebSteps.Problem, Exact = true }).First)
            .ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = WebSteps.Timeout });
        await Assertions.Expect(Page.Locator("#learn-total")).ToContainTextAsync("1");
        await AssertAccessibleAsync(Page);
        await ScreenshotAsync(Page, "learn-progress");

        await Page.GotoAsync(WebPaths.Account);
        await Assertions.Expect(Page.Locator("h1")).ToBeVisibleAsync();
        await AssertAccessibleAsync(Page);
        await ScreenshotAsync(Page, "account");
        Assert.Empty(PageErrors);
    }

    [BrowserFact]
    public async Task SignIn_Page_IsAccessibleInLightAndDark()
    {
        await Page.GotoAsync(WebPaths.SignIn);
        await Assertions.Expect(Page.Locator("#login")).ToBeVisibleAsync();

        await AssertAccessibleAsync(Page);
        await ScreenshotAsync(Page, "signin");
        Assert.Empty(PageErrors);
    }

    [GeneratedRegex(@"^\s*5\s*$")]
    private static partial Regex OnlyFive();
}
