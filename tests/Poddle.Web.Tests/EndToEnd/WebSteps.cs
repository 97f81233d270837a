using Microsoft.Playwright;

namespace Poddle.Web.Tests.EndToEnd;

/// <summary>
/// The steps the scenarios share, done through the pages as a person would (forms, buttons), waiting with Playwright's
/// auto-waiting expectations and <see cref="BlazorCircuit"/>, never sleeping. The timeouts are generous: CI machines are
/// small and the sandbox runs the code for real.
/// </summary>
public static partial class WebSteps
{
    /// <summary>How long an expectation waits (a graded submission runs every case in the sandbox).</summary>
    public const float Timeout = 30_000;

    /// <summary>The starter curriculum's first problem: a function <c>add(a, b)</c> (src/Poddle.Core/Curriculum/Starter/problems/k-add.yaml).</summary>
    public const string Problem = "k-add";

    public const string AgeGroup = "11-14";

    /// <summary>Passes every case of k-add.</summary>
    public const string RightAnswer = "def add(a, b):\n    return a + b\n";

    /// <summary>Passes the public cases and two hidden ones, fails the hidden ones with negative numbers.</summary>
    public const string WrongAnswer = "def add(a, b):\n    return abs(a) + abs(b)\n";

    /// <summary>
    /// The hidden cases' calls of k-add: none may ever reach the browser. (Their expected values, "350", "-15", "6",
    /// "3.0", are too short to search for: Monaco's own CSS contains "-15".)
    /// </summary>
    public static readonly string[] HiddenCaseContent = ["add(100, 250)", "add(-7, -8)", "add(-4, 10)", "add(2.5, 0.5)"];

    public static LocatorAssertionsToHaveTextOptions TextWithin { get; } = new() { Timeout = Timeout };

    public static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    /// <summary>Signs <paramref name="person"/> up at /signup (a static form: no circuit) and waits until the site let them in.</summary>
    public static async Task SignUpAsync(IPage page, WebPerson person)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(person);
        await page.GotoAsync(WebPaths.SignUp);
        await page.Locator("#username").FillAsync(person.Username);
        await page.Locator("#email").FillAsync(person.Email);
        await page.Locator("#password").FillAsync(person.Password);
        await page.Locator("#display-name").FillAsync(person.Username);
        await page.Locator("form button[type='submit']").Last.ClickAsync();
        await LeftAsync(page, WebPaths.SignUp);
    }

    /// <summary>Signs in at /signin with the form and waits until the site let them in.</summary>
    public static async Task SignInAsync(IPage page, string login, string password)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync(WebPaths.SignIn);
        await page.Locator("#login").FillAsync(login);
        await page.Locator("#password").FillAsync(password);
        await page.Locator("#password").PressAsync("Enter");
        await LeftAsync(page, WebPaths.SignIn);
    }

    /// <summary>
    /// Waits until a sign-up or sign-in form let the person in: the browser left <paramref name="path"/> (the form
    /// redirects) and holds the sign-in cookie.
    /// </summary>
    public static async Task LeftAsync(IPage page, string path)
    {
        ArgumentNullException.ThrowIfNull(page);
        try
        {
            await page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.Equals(path, StringComparison.Ordinal), new PageWaitForURLOptions { Timeout = Timeout });
        }
        catch (TimeoutException ex)
        {
            // The form came back instead: say what it says (a field error, a limit), not only that time ran out.
            throw new TimeoutException($"still on {path}; the page says: {await page.Locator("body").InnerTextAsync()}", ex);
        }

        var cookies = await page.Context.CookiesAsync();
        Assert.Contains(cookies, c => c.Name == Poddle.Web.Auth.WebAuthentication.CookieName);
    }

    /// <summary>Opens the level map and picks the age group when the map asks for one.</summary>
    public static async Task OpenMapAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        await BlazorCircuit.GotoInteractiveAsync(page, WebPaths.Learn);
        var choice = page.Locator($"button[data-age-group='{AgeGroup}']");
        var problem = page.Locator($"li[data-problem='{Problem}']");
        await Assertions.Expect(choice.Or(problem).First).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = Timeout });
        if (await choice.IsVisibleAsync())
        {
            await BlazorCircuit.WaitUntilInteractiveAsync(choice);
            await choice.ClickAsync();
        }

        await Assertions.Expect(problem).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = Timeout });
    }

    /// <summary>Opens the problem page and waits until Monaco shows the code and the page is interactive.</summary>
    public static async Task OpenProblemAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        await BlazorCircuit.GotoInteractiveAsync(page, WebPaths.Of(WebPaths.Problem, Problem));
        await page.WaitForFunctionAsync("() => !!window.monaco && monaco.editor.getEditors().length > 0", null, new PageWaitForFunctionOptions { Timeout = Timeout, PollingInterval = 50 });
        await BlazorCircuit.WaitUntilInteractiveAsync(page.Locator("#learn-run"));
    }

    /// <summary>
    /// Puts <paramref name="code"/> in the editor through Monaco's own API (typing would go through Monaco's
    /// auto-indent and bracket closing), then waits until the page says the draft is saved: the page has the code then,
    /// so a Run or Submit that follows uses it. Call it on a freshly opened page (the note says "saved" only once).
    /// </summary>
    public static async Task SetCodeAsync(IPage page, string code)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.EvaluateAsync("code => monaco.editor.getEditors()[0].setValue(code)", code);
        await Assertions.Expect(page.GetByText("Your code is saved.")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = Timeout });
    }

    /// <summary>
    /// Asserts that no string of <paramref name="forbidden"/> is in the page's DOM now nor in its HTML fetched afresh
    /// (which answers <paramref name="expectedStatus"/>: 404 for a page that is not the caller's).
    /// </summary>
    public static async Task AssertNotInPageAsync(IPage page, IEnumerable<string> forbidden, int expectedStatus = 200)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(forbidden);
        var dom = await page.ContentAsync();
        // The page's source: the same address fetched with the same cookies (the prerendered HTML the server sends).
        var response = await page.APIRequest.GetAsync(page.Url);
        Assert.Equal(expectedStatus, response.Status);
        var source = await response.TextAsync();
        foreach (var text in forbidden)
        {
            Assert.DoesNotContain(text, dom, StringComparison.Ordinal);
            Assert.DoesNotContain(text, source, StringComparison.Ordinal);
        }
    }
}
