using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Poddle.Web.Tests.EndToEnd;

/// <summary>
/// The student's way with the keyboard alone: Tab to the sign-in form, type, Enter; Tab to k-add on the map, Enter; Tab
/// into the editor, type a program, Ctrl+Enter runs it and the output appears. No mouse click, no programmatic focus.
/// </summary>
public sealed partial class KeyboardEndToEndTests(BrowserFixture browser, ITestOutputHelper output) : BrowserTest(browser, output)
{
    /// <summary>More Tab presses than any page here has stops before the one sought.</summary>
    private const int MaxTabs = 60;

    [BrowserFact]
    public async Task Student_KeyboardOnly_SignsInOpensK_AddAndRunsWithCtrlEnter()
    {
        // The account exists and has picked an age group (another context: this page only ever gets keys).
        var student = WebPerson.New("kbd");
        var setup = await NewPageAsync();
        await WebSteps.SignUpAsync(setup, student);
        await WebSteps.OpenMapAsync(setup);

        await Page.GotoAsync(WebPaths.SignIn);
        await TabToAsync(Page, "#login");
        await Page.Keyboard.TypeAsync(student.Username);
        await TabToAsync(Page, "#password");
        await Page.Keyboard.TypeAsync(student.Password);
        await Page.Keyboard.PressAsync("Enter");
        await WebSteps.LeftAsync(Page, WebPaths.SignIn);

        await Assertions.Expect(Page.Locator($"li[data-problem='{WebSteps.Problem}']")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = WebSteps.Timeout });
        await BlazorCircuit.WaitUntilInteractiveAsync(Page);
        await TabToAsync(Page, $"a[href$='{WebPaths.Of(WebPaths.Problem, WebSteps.Problem)}']");
        await Page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(Page).ToHaveURLAsync(new Regex(Regex.Escape(WebPaths.Of(WebPaths.Problem, WebSteps.Problem)) + "$"), new PageAssertionsToHaveURLOptions { Timeout = WebSteps.Timeout });
        await Page.WaitForFunctionAsync("() => !!window.monaco && monaco.editor.getEditors().length > 0", null, new PageWaitForFunctionOptions { Timeout = WebSteps.Timeout, PollingInterval = 50 });
        await BlazorCircuit.WaitUntilInteractiveAsync(Page.Locator("#learn-run"));

        await TabToAsync(Page, ".monaco-editor textarea");
        await Page.Keyboard.PressAsync("Control+A");
        await Page.Keyboard.InsertTextAsync("print(6 * 7)");
        await Assertions.Expect(Page.GetByText("Your code is saved.")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = WebSteps.Timeout });
        await Page.Keyboard.PressAsync("Control+Enter");

        await Assertions.Expect(Page.Locator("#learn-stdout")).ToHaveTextAsync(FortyTwo(), WebSteps.TextWithin);
        Assert.Empty(PageErrors);
    }

    /// <summary>Presses Tab until the focus is on an element matching <paramref name="selector"/>.</summary>
    private static async Task TabToAsync(IPage page, string selector)
    {
        for (var i = 0; i < MaxTabs; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<bool>("s => !!document.activeElement && document.activeElement.matches(s)", selector))
            {
                return;
            }
        }

        Assert.Fail($"{MaxTabs} presses of Tab on {page.Url} never reached {selector}.");
    }

    [GeneratedRegex(@"^\s*42\s*$")]
    private static partial Regex FortyTwo();
}
