using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Poddle.Testing;
using Xunit.Abstractions;

namespace Poddle.Web.Tests.EndToEnd;

/// <summary>
/// The account pages that need more than a form, in Chromium against the real `poddle serve`: a forgotten password (the
/// code goes through a real SMTP server; the mail's link opens the reset page; the new password signs in, the old one
/// no longer does) and two-step sign-in (TOTP enabled through the API; /signin asks for the code, and a code computed
/// as an authenticator app would lets the person in).
/// </summary>
public sealed class AccountEndToEndTests(BrowserFixture browser, ITestOutputHelper output) : BrowserTest(browser, output)
{
    private const string NewPassword = "a-brand-new-password-77";

    [BrowserFact]
    public async Task ForgotPassword_MailedCodeAndLink_ResetsThePasswordAndTheNewOneSignsIn()
    {
        var person = WebPerson.New("rst");
        await WebSteps.SignUpAsync(await NewPageAsync(), person);

        await Page.GotoAsync(WebPaths.SignIn);
        await Page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Forgot your password?" }).ClickAsync();
        await Assertions.Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(WebPaths.ForgotPassword + "$"));
        await Page.Locator("#email").FillAsync(person.Email);
        await Page.Locator("form button[type='submit']").Last.ClickAsync();
        await Assertions.Expect(Page.GetByText("If an account has this address, we mailed a code to it.", new PageGetByTextOptions { Exact = false }))
            .ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = WebSteps.Timeout });
        await AssertAccessibleAsync(Page);
        await ScreenshotAsync(Page, "forgot-password", darkToo: false);

        // The mail, as the SMTP server received it: the code, and the link to the web page that takes it.
        var mail = await Browser.Mail.WaitForAsync(m => m.To.Contains(person.Email) && m.Subject.Contains("Reset", StringComparison.Ordinal), "the reset code");
        var link = Browser.BaseUrl + WebPaths.ResetPassword;
        Assert.Contains(link, mail.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(mail.Code, link, StringComparison.Ordinal);

        await Page.GotoAsync(link);
        await Page.Locator("#code").FillAsync(mail.Code);
        await Page.Locator("#new-password").FillAsync(NewPassword);
        await AssertAccessibleAsync(Page);
        await ScreenshotAsync(Page, "reset-password", darkToo: false);
        await Page.Locator("form button[type='submit']").Last.ClickAsync();
        await Assertions.Expect(Page.GetByText("Your password is changed. Sign in with the new one.")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = WebSteps.Timeout });

        // The old password no longer signs in; the new one does.
        await Page.Locator("#login").FillAsync(person.Username);
        await Page.Locator("#password").FillAsync(person.Password);
        await Page.Locator("#password").PressAsync("Enter");
        await Assertions.Expect(Page.Locator("#password")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = WebSteps.Timeout });
        Assert.DoesNotContain(await Page.Context.CookiesAsync(), c => c.Name == Poddle.Web.Auth.WebAuthentication.CookieName);

        await WebSteps.SignInAsync(Page, person.Username, NewPassword);
        await AssertSignedInAsync(Page, person);
        Assert.Empty(PageErrors);
    }

    [BrowserFact]
    public async Task SignIn_WithTwoFactorEnabled_AsksForTheCodeAndAnAuthenticatorCodeLetsThePersonIn()
    {
        var person = WebPerson.New("tfa");
        await WebSteps.SignUpAsync(await NewPageAsync(), person);
        var secret = await EnableTwoFactorAsync(person);

        // The password step hands over to the code step, without signing in yet.
        await Page.GotoAsync(WebPaths.SignIn);
        await Page.Locator("#login").FillAsync(person.Username);
        await Page.Locator("#password").FillAsync(person.Password);
        await Page.Locator("#password").PressAsync("Enter");
        await Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == WebPaths.SignInTwoFactor, new PageWaitForURLOptions { Timeout = WebSteps.Timeout });
        Assert.DoesNotContain(await Page.Context.CookiesAsync(), c => c.Name == Poddle.Web.Auth.WebAuthentication.CookieName);
        await AssertAccessibleAsync(Page);
        await ScreenshotAsync(Page, "signin-two-factor", darkToo: false);

        // A wrong code is refused and the page stays.
        await Page.Locator("#code").FillAsync(WrongCode(secret.Code));
        await Page.Locator("form button[type='submit']").Last.ClickAsync();
        await Assertions.Expect(Page.GetByText("The code is wrong. Try again.")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = WebSteps.Timeout });

        // The next step's code (the one that enabled two-factor sign-in cannot be used again).
        var step = Math.Max(TotpCalculator.StepAt(DateTimeOffset.UtcNow), secret.Step + 1);
        await Page.Locator("#code").FillAsync(TotpCalculator.CodeAt(secret.Secret, step));
        await Page.Locator("form button[type='submit']").Last.ClickAsync();
        await WebSteps.LeftAsync(Page, WebPaths.SignInTwoFactor);
        await AssertSignedInAsync(Page, person);
    }

    /// <summary>The account page greets the person: the cookie is a real session of theirs.</summary>
    private static async Task AssertSignedInAsync(IPage page, WebPerson person)
    {
        await page.GotoAsync(WebPaths.Account);
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync(person.Username, new LocatorAssertionsToContainTextOptions { Timeout = WebSteps.Timeout });
    }

    /// <summary>Signs in through the API and enables TOTP as `poddle 2fa enable` does; the secret and the step its enabling code used.</summary>
    private async Task<(string Secret, long Step, string Code)> EnableTwoFactorAsync(WebPerson person)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Browser.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        using var login = await http.PostAsJsonAsync("/api/auth/login", new { login = person.Username, password = person.Password });
        Assert.True(login.IsSuccessStatusCode, await login.Content.ReadAsStringAsync());
        var token = (await login.Content.ReadFromJsonAsync<TokenBody>())!.AccessToken;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var setup = await http.PostAsJsonAsync("/api/users/me/two-factor/setup", new { password = person.Password });
        Assert.True(setup.IsSuccessStatusCode, await setup.Content.ReadAsStringAsync());
        var secret = (await setup.Content.ReadFromJsonAsync<SetupBody>())!.Secret;
        var step = TotpCalculator.StepAt(DateTimeOffset.UtcNow);
        var code = TotpCalculator.CodeAt(secret, step);
        using var enable = await http.PostAsJsonAsync("/api/users/me/two-factor/enable", new { code });
        Assert.True(enable.IsSuccessStatusCode, await enable.Content.ReadAsStringAsync());
        Output.WriteLine($"two-factor sign-in enabled for {person.Username}");
        return (secret, step, code);
    }

    /// <summary>A six-digit code that is not <paramref name="code"/> (nor, with a million codes, any other step's by chance in practice).</summary>
    private static string WrongCode(string code) => code == "000000" ? "111111" : "000000";

    private sealed record TokenBody(string AccessToken);

    private sealed record SetupBody(string Secret);
}
