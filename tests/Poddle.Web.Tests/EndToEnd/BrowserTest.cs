using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Poddle.Web.Tests.EndToEnd;

/// <summary>
/// The base of a browser test: <see cref="Page"/> in a fresh context of its own (xUnit makes one instance per test), more
/// people through <see cref="NewPageAsync"/> (each its own context: a teacher and a student at once), all closed after
/// the test. Errors the page throws and the browser console's errors go to the test output, and are kept in
/// <see cref="PageErrors"/> for a test to assert on.
/// </summary>
[Collection(BrowserCollectionDefinition.Name)]
public abstract class BrowserTest : IAsyncLifetime
{
    private readonly List<IBrowserContext> _contexts = [];
    private readonly List<string> _pageErrors = [];
    private IPage? _page;

    protected BrowserTest(BrowserFixture browser, ITestOutputHelper output)
    {
        Browser = browser;
        Output = output;
    }

    protected BrowserFixture Browser { get; }

    protected ITestOutputHelper Output { get; }

    /// <summary>The test's first person, in a fresh context.</summary>
    protected IPage Page => _page ?? throw new InvalidOperationException("InitializeAsync has not run.");

    /// <summary>Uncaught errors and console errors of every page of this test so far.</summary>
    protected IReadOnlyList<string> PageErrors
    {
        get
        {
            lock (_pageErrors)
            {
                return [.. _pageErrors];
            }
        }
    }

    public virtual async Task InitializeAsync() => _page = await NewPageAsync();

    /// <summary>Another person: a page in a new context (its own cookies), closed with the test.</summary>
    protected async Task<IPage> NewPageAsync(string locale = "en-US")
    {
        var context = await Browser.NewContextAsync(locale);
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => Record($"page error on {page.Url}: {error}");
        page.Console += (_, message) =>
        {
            // "Failed to load resource" repeats a failed response without its address; Response below names it.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                Record($"console error on {page.Url}: {message.Text}");
            }
        };
        page.Response += (_, response) =>
        {
            // The browser asks for /favicon.ico by itself, whatever the page links: not the page's own request.
            if (response.Status >= 400 && !response.Url.EndsWith("/favicon.ico", StringComparison.Ordinal))
            {
                Record($"HTTP {response.Status} for {response.Request.Method} {response.Url} (page {page.Url})");
            }
        };
        return page;
    }

    /// <summary>Navigates to <paramref name="path"/> and waits for the Blazor circuit (<see cref="BlazorCircuit"/>).</summary>
    protected static Task<IResponse?> GotoInteractiveAsync(IPage page, string path) => BlazorCircuit.GotoInteractiveAsync(page, path);

    /// <summary>Full-page light and dark screenshots (<see cref="Screenshots"/>).</summary>
    protected async Task ScreenshotAsync(IPage page, string name, bool darkToo = true)
    {
        foreach (var path in await Screenshots.ScreenshotAsync(page, name, darkToo))
        {
            Output.WriteLine($"screenshot: {path}");
        }
    }

    /// <summary>axe-core: no serious or critical violation (<see cref="Accessibility"/>).</summary>
    protected Task AssertAccessibleAsync(IPage page) => Accessibility.AssertAccessibleAsync(page, Output);

    public virtual async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }
    }

    private void Record(string line)
    {
        lock (_pageErrors)
        {
            _pageErrors.Add(line);
        }

        try
        {
            Output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test has ended (an event after the last await); the list keeps it.
        }
    }
}
