using Bunit;
using Poddle.Web.Components.Pages;

namespace Poddle.Web.Tests.Components.Pages;

public sealed class HomeTests : BunitContext
{
    [Fact]
    public void Render_NamesTheProductInItsHeading()
    {
        var page = Render<Home>();

        Assert.Equal("Poddle", page.Find("h1").TextContent.Trim());
    }
}
