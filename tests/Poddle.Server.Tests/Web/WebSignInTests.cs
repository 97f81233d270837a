using System.Net;
using System.Net.Http.Json;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Web;

/// <summary>Servers that check a browser's session on every request (no trust interval), so a revoke shows at once.</summary>
public sealed class StrictSessionServers : IAsyncDisposable
{
    private readonly Dictionary<DatabaseProvider, Task<TestServer>> _servers = [];
    private readonly Lock _lock = new();

    public Task<TestServer> GetAsync(DatabaseProvider provider)
    {
        lock (_lock)
        {
            if (!_servers.TryGetValue(provider, out var server))
            {
                server = TestServer.StartAsync(provider, new Dictionary<string, string?> { ["Web:SessionCheckInterval"] = "00:00:00" });
                _servers[provider] = server;
            }

            return server;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers.Values)
        {
            await (await server).DisposeAsync();
        }
    }
}

/// <summary>The browser's sign-in (src/Poddle.Web/Auth) over real HTTP: the same sessions as the API, and never the API's credentials.</summary>
public sealed class WebSignInTests(StrictSessionServers servers) : IClassFixture<StrictSessionServers>
{
    private const string Password = "correct-horse-battery";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SignInForm_RightPassword_SetsAnHttpOnlyCookieAndGoesToTheLocalReturnUrl(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        await server.CreateUserAsync("webform", Password);
        using var browser = new WebBrowser(server.BaseAddress);

        var response = await browser.SignInAsync("webform", Password, "/signin?returnUrl=%2Faccount");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/account", response.Headers.Location!.AbsolutePath);
        var setCookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".poddle.session=", StringComparison.Ordinal));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SignInForm_ForeignReturnUrl_GoesHomeInstead(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        await server.CreateUserAsync("webredirect", Password);
        using var browser = new WebBrowser(server.BaseAddress);

        var response = await browser.SignInAsync("webredirect", Password, "/signin?returnUrl=%2F%2Fevil.example%2F");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(server.BaseAddress.Authority, response.Headers.Location!.Authority);
        Assert.Equal("/", response.Headers.Location.AbsolutePath);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SignInForm_WrongPassword_SetsNoCookieAndSaysSo(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        await server.CreateUserAsync("webwrong", Password);
        using var browser = new WebBrowser(server.BaseAddress);

        var response = await browser.SignInAsync("webwrong", "not-the-password");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(browser.SessionCookie);
        Assert.Contains("The username, email or password is wrong.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task BrowserSession_IsListedByTheApi_WithTheBrowsersUserAgent(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (api, _) = await server.CreateUserAsync("weblisted", Password);
        using var browser = new WebBrowser(server.BaseAddress);

        await browser.SignInAsync("weblisted", Password);
        var sessions = await api.GetFromJsonAsync<List<SessionResponse>>("/api/users/me/sessions");

        var web = Assert.Single(sessions!, s => s.UserAgent == WebBrowser.UserAgent);
        Assert.Equal("127.0.0.1", web.IpAddress);
        Assert.False(web.Current);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RevokingTheBrowsersSession_ThroughTheApi_MakesTheCookieUseless(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (api, _) = await server.CreateUserAsync("webrevoked", Password);
        using var browser = new WebBrowser(server.BaseAddress);
        await browser.SignInAsync("webrevoked", Password);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account")).StatusCode);
        var sessions = await api.GetFromJsonAsync<List<SessionResponse>>("/api/users/me/sessions");

        var revoke = await api.DeleteAsync(new Uri($"/api/users/me/sessions/{sessions!.Single(s => s.UserAgent == WebBrowser.UserAgent).Id}", UriKind.Relative));
        var account = await browser.GetAsync("/account");

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Found, account.StatusCode);
        Assert.StartsWith("/signin", account.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SignOutForm_EndsTheSessionForTheApiToo(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (api, _) = await server.CreateUserAsync("webleaver", Password);
        using var browser = new WebBrowser(server.BaseAddress);
        await browser.SignInAsync("webleaver", Password);

        var signedOut = await browser.SubmitAsync("/signout", "signout", new Dictionary<string, string>());
        var sessions = await api.GetFromJsonAsync<List<SessionResponse>>("/api/users/me/sessions");

        Assert.Equal(HttpStatusCode.Found, signedOut.StatusCode);
        Assert.DoesNotContain(sessions!, s => s.UserAgent == WebBrowser.UserAgent);
        Assert.Equal(HttpStatusCode.Found, (await browser.GetAsync("/account")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Cookie_DoesNotAuthenticateTheApi(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        await server.CreateUserAsync("webnotapi", Password);
        using var browser = new WebBrowser(server.BaseAddress);
        await browser.SignInAsync("webnotapi", Password);
        Assert.NotNull(browser.SessionCookie);

        var me = await browser.GetAsync("/api/users/me");

        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
        Assert.Equal("application/problem+json", me.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SignInPost_WithoutTheAntiforgeryToken_IsRefused(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        await server.CreateUserAsync("webcsrf", Password);
        using var browser = new WebBrowser(server.BaseAddress);

        var response = await browser.SubmitAsync(
            "/signin", "signin", new Dictionary<string, string> { ["Input.Login"] = "webcsrf", ["Input.Password"] = Password }, withToken: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(browser.SessionCookie);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SignUpForm_CreatesAMemberSignedInAtOnce_AndShowsFieldErrorsNextToTheFields(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        using var browser = new WebBrowser(server.BaseAddress);

        var invalid = await browser.SubmitAsync("/signup", "signup", new Dictionary<string, string>
        {
            ["Input.Username"] = "x", ["Input.Email"] = "not-an-email", ["Input.Password"] = "short",
        });
        var created = await browser.SubmitAsync("/signup", "signup", new Dictionary<string, string>
        {
            ["Input.Username"] = "websignup", ["Input.Email"] = "websignup@example.test", ["Input.Password"] = Password,
        });

        var page = await invalid.Content.ReadAsStringAsync();
        Assert.Contains("id=\"username-error\"", page, StringComparison.Ordinal);
        Assert.Contains("id=\"email-error\"", page, StringComparison.Ordinal);
        Assert.Contains("id=\"password-error\"", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Found, created.StatusCode);
        Assert.NotNull(browser.SessionCookie);
        using var api = server.CreateClient();
        var login = await api.PostAsJsonAsync("/api/auth/login", new LoginRequest("websignup", Password));
        Assert.Equal("member", (await login.Content.ReadFromJsonAsync<TokenResponse>())!.User.Role);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task LanguageMenu_SignedIn_SetsTheCookieAndTheUsersPreference_AppliedAtTheNextSignIn(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (api, _) = await server.CreateUserAsync("webpolyglot", Password);
        using var browser = new WebBrowser(server.BaseAddress);
        await browser.SignInAsync("webpolyglot", Password);

        var chosen = await browser.SubmitAsync("/account", string.Empty, new Dictionary<string, string> { ["language"] = "uz-Latn", ["returnUrl"] = "/account" }, formPath: "/preferences/language");
        var me = await api.GetFromJsonAsync<UserResponse>("/api/users/me");
        using var other = new WebBrowser(server.BaseAddress);
        await other.SignInAsync("webpolyglot", Password);
        var home = await (await other.GetAsync("/account")).Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Redirect, chosen.StatusCode);
        Assert.Equal("uz-Latn", me!.PreferredLanguage);
        Assert.Contains("<html lang=\"uz-Latn\">", home, StringComparison.Ordinal);
        Assert.Contains("Hisobingiz", home, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsersApi_PreferredLanguage_IsValidatedAndForgottenWithEmpty()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        var (api, _) = await server.CreateUserAsync("apilanguage", Password);

        var unknown = await api.PatchAsJsonAsync("/api/users/me", new UpdateUserRequest(PreferredLanguage: "klingon"));
        var russian = await api.PatchAsJsonAsync("/api/users/me", new UpdateUserRequest(PreferredLanguage: "RU"));
        var russianUser = await russian.Content.ReadFromJsonAsync<UserResponse>();
        var forgotten = await api.PatchAsJsonAsync("/api/users/me", new UpdateUserRequest(PreferredLanguage: string.Empty));

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("preferredLanguage", (await unknown.Content.ReadFromJsonAsync<ProblemResponse>())!.Errors!.Keys);
        Assert.Equal("ru", russianUser!.PreferredLanguage);
        Assert.Null((await forgotten.Content.ReadFromJsonAsync<UserResponse>())!.PreferredLanguage);
    }
}
