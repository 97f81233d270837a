using System.Globalization;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Accounts;
using Poddle.Web.Components.Pages;

namespace Poddle.Web.Tests.Components.Pages;

public sealed class HomeTests : ShellContext
{
    [Fact]
    public void Render_Visitor_WelcomesWithSignInAndSignUp()
    {
        var page = Render<Home>();

        Assert.Equal("Learn to code with Poddle", page.Find("h1").TextContent.Trim());
        Assert.NotNull(page.Find($"a[href='{WebPaths.SignIn}']"));
        Assert.NotNull(page.Find($"a[href='{WebPaths.SignUp}']"));
    }

    [Theory]
    [InlineData(UserRole.Student, WebPaths.Learn)]
    [InlineData(UserRole.Member, WebPaths.Learn)]
    [InlineData(UserRole.Teacher, WebPaths.Classes)]
    [InlineData(UserRole.Admin, WebPaths.Classes)]
    public void Render_SignedIn_GoesToTheRolesStart(UserRole role, string start)
    {
        SignIn(role);

        Render<Home>();

        var navigation = Services.GetRequiredService<NavigationManager>();
        Assert.Equal(start, "/" + navigation.ToBaseRelativePath(navigation.Uri));
    }

    [Fact]
    public void Render_InRussian_SpeaksRussian()
    {
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("ru");
        try
        {
            var page = Render<Home>();

            Assert.Equal("Учись программировать с Poddle", page.Find("h1").TextContent.Trim());
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }
}
