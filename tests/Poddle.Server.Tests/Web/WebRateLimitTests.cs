using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Web;

/// <summary>The sign-up page shares the API's registration limit (the same counter per client IP), and says how long to wait.</summary>
public sealed class WebRateLimitTests
{
    [Fact]
    public async Task SignUpPage_AfterTheApiUsedTheLimit_SendsTheFormBackWithTheWaitInWords()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["RateLimits:Registration:PermitLimit"] = "1",
            ["RateLimits:Registration:Window"] = "01:00:00",
        });
        using var api = server.CreateClient();
        using var browser = new WebBrowser(server.BaseAddress);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/signup")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/auth/register", new RegisterRequest("first@example.test", "first", "correct-horse-battery"))).StatusCode);

        var refused = await browser.SubmitAsync("/signup", "signup", new Dictionary<string, string>
        {
            ["Input.Username"] = "second", ["Input.Email"] = "second@example.test", ["Input.Password"] = "correct-horse-battery",
        });
        var page = await (await browser.GetAsync(refused.Headers.Location!.OriginalString)).Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.SeeOther, refused.StatusCode);
        Assert.StartsWith("/signup?retryAfter=", refused.Headers.Location.OriginalString, StringComparison.Ordinal);
        Assert.Contains("Too many tries. Wait ", page, StringComparison.Ordinal);
        Assert.Contains(" minutes and try again.", page, StringComparison.Ordinal);
        Assert.Null(browser.SessionCookie);
    }

    [Fact]
    public async Task Circuits_UseTheRevalidatingStateProvider()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        await using var scope = server.Services.CreateAsyncScope();

        var provider = scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();

        Assert.Equal("SessionRevalidatingStateProvider", provider.GetType().Name);
    }
}
