using Bunit;
using Poddle.Web.Components.Account;

namespace Poddle.Web.Tests.Components.Account;

public sealed class AccountCardTests : ShellContext
{
    [Fact]
    public void Render_OneHeadingOfLevelOne()
    {
        var card = Render<AccountCard>(p => p.Add(c => c.Title, "Sign in").AddChildContent("<p>form</p>"));

        Assert.Equal("Sign in", Assert.Single(card.FindAll("h1")).TextContent.Trim());
    }
}
