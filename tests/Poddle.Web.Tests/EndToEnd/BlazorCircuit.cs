using Microsoft.Playwright;

namespace Poddle.Web.Tests.EndToEnd;

/// <summary>
/// Waits for a page's Blazor circuit instead of sleeping. An interactive page is first served prerendered: it looks
/// finished, but a click on it does nothing until blazor.web.js has connected the circuit and attached the components,
/// which is when Blazor's event delegator puts its `_blazorEvents_N` record on each element that has a handler. So
/// "interactive" here means: `window.Blazor` exists and an element (for a locator: it or an ancestor, since Blazor
/// delegates events up the tree) carries that record. The checks run in the browser (polled every 50 ms) until the
/// timeout. Pages marked [ExcludeFromInteractiveRouting] (sign-in, sign-up) never become interactive: post their forms
/// without these waits.
/// </summary>
public static class BlazorCircuit
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private const string HasHandler = "n => Object.keys(n).some(k => k.startsWith('_blazorEvents_'))";

    private const string PageIsInteractive =
        "() => !!window.Blazor && Array.prototype.some.call(document.querySelectorAll('*'), " + HasHandler + ")";

    private const string ElementIsInteractive =
        "e => { const has = " + HasHandler + "; for (let n = e; n; n = n.parentElement) { if (has(n)) return !!window.Blazor; } return false; }";

    /// <summary>Waits until the page's circuit is connected and its components have their event handlers.</summary>
    public static async Task WaitUntilInteractiveAsync(IPage page, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        var limit = timeout ?? DefaultTimeout;
        try
        {
            await page.WaitForFunctionAsync(PageIsInteractive, null, new PageWaitForFunctionOptions { PollingInterval = 50, Timeout = (float)limit.TotalMilliseconds });
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{page.Url} did not become interactive (Blazor circuit) within {limit.TotalSeconds:0} s.", e);
        }
    }

    /// <summary>Waits until <paramref name="target"/> is visible and a Blazor handler would receive its events.</summary>
    public static async Task WaitUntilInteractiveAsync(ILocator target, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        var limit = timeout ?? DefaultTimeout;
        await target.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = (float)limit.TotalMilliseconds });
        var element = await target.ElementHandleAsync();
        try
        {
            await target.Page.WaitForFunctionAsync(ElementIsInteractive, element, new PageWaitForFunctionOptions { PollingInterval = 50, Timeout = (float)limit.TotalMilliseconds });
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{target} got no Blazor event handler within {limit.TotalSeconds:0} s (is the page interactive?).", e);
        }
    }

    /// <summary>Whether <paramref name="target"/> (or an ancestor) has a Blazor event handler now; no wait.</summary>
    public static async Task<bool> IsInteractiveAsync(ILocator target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return await target.CountAsync() > 0 && await target.First.EvaluateAsync<bool>(ElementIsInteractive);
    }

    /// <summary>Whether the page's circuit is connected and some component has an event handler now; no wait.</summary>
    public static Task<bool> IsInteractiveAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return page.EvaluateAsync<bool>(PageIsInteractive);
    }

    /// <summary>Navigates to <paramref name="path"/> (relative to the server) and waits until the page is interactive.</summary>
    public static async Task<IResponse?> GotoInteractiveAsync(IPage page, string path, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        var response = await page.GotoAsync(path);
        await WaitUntilInteractiveAsync(page, timeout);
        return response;
    }
}
