using System.Security.Claims;
using Bunit;
using Poddle.Core.Accounts;
using Poddle.Web.Components.Layout;

namespace Poddle.Web.Tests.Components.Layout;

public sealed class NavLinksTests : ShellContext
{
    [Theory]
    [InlineData(UserRole.Student, new[] { WebPaths.Learn, WebPaths.Progress, WebPaths.JoinClass, WebPaths.Account })]
    [InlineData(UserRole.Teacher, new[] { WebPaths.Classes, WebPaths.Problems, WebPaths.Account })]
    [InlineData(UserRole.Admin, new[] { WebPaths.Classes, WebPaths.Problems, WebPaths.Users, WebPaths.Account })]
    public void Render_SignedIn_LinksWhatTheRoleUses(UserRole role, string[] links)
    {
        var user = SignIn(role);

        var nav = Render<NavLinks>(p => p.Add(n => n.User, user));

        Assert.Equal(links, nav.FindAll("nav a").Select(a => a.GetAttribute("href")));
        Assert.Equal("Main navigation", nav.Find("nav").GetAttribute("aria-label"));
    }

    [Fact]
    public void Render_Visitor_OffersSignInAndSignUp()
    {
        var nav = Render<NavLinks>(p => p.Add(n => n.User, new ClaimsPrincipal(new ClaimsIdentity())));

        Assert.Equal([WebPaths.SignIn, WebPaths.SignUp], nav.FindAll("nav a").Select(a => a.GetAttribute("href")));
    }
}
