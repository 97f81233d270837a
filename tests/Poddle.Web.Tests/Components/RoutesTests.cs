using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Accounts;
using Poddle.Web.Components;

namespace Poddle.Web.Tests.Components;

/// <summary>The router's answer to a page the caller may not open: sign in first, or — signed in — "not found".</summary>
public sealed class RoutesTests : ShellContext, IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    // The layout's MudBlazor services are only asynchronously disposable: dispose the container that way.
    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    [Theory]
    [InlineData(UserRole.Student, WebPaths.Classes)]
    [InlineData(UserRole.Student, "/teach/classes/0195f1a2-0000-7000-8000-000000000001/students/0195f1a2-0000-7000-8000-000000000002")]
    [InlineData(UserRole.Student, WebPaths.Users)]
    [InlineData(UserRole.Teacher, WebPaths.Users)]
    public void Render_SignedInWithoutTheRole_NotFoundInTheLayoutWithALinkHome(UserRole role, string path)
    {
        SignIn(role);
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo(path);

        var routes = Render<Routes>();

        routes.WaitForAssertion(() => Assert.Equal("Page not found", routes.Find("h1").TextContent.Trim()));
        Assert.NotEmpty(routes.FindAll("header.mud-appbar")); // the app's normal layout
        Assert.Contains(routes.FindAll("a"), a => a.GetAttribute("href") == WebPaths.Home && a.TextContent.Contains("Go to the home page", StringComparison.Ordinal));
        Assert.Equal(path, "/" + navigation.ToBaseRelativePath(navigation.Uri)); // no redirect
    }

    [Fact]
    public void Render_Visitor_IsSentToSignInAndBack()
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo(WebPaths.Classes);

        Render<Routes>();

        Assert.Equal($"{WebPaths.SignIn}?returnUrl={Uri.EscapeDataString("teach/classes")}", "/" + navigation.ToBaseRelativePath(navigation.Uri));
    }
}
