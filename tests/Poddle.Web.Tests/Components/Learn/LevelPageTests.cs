using Bunit;
using Poddle.Web.Components.Learn;

namespace Poddle.Web.Tests.Components.Learn;

public sealed class LevelPageTests : BunitContext
{
    [Fact]
    public async Task Render_ShowsTheLevelsCheatsheetAsSanitizedHtml()
    {
        await using var harness = await LearnHarness.CreateAsync(this);

        var page = Render<LevelPage>(p => p.Add(x => x.Number, 1));

        page.WaitForAssertion(() => Assert.Contains("Cheatsheet — level 1", page.Find("h1").TextContent, StringComparison.Ordinal));
        Assert.NotEmpty(page.FindAll(".learn-cheatsheet code, .learn-cheatsheet pre, .learn-cheatsheet p"));
        Assert.Empty(page.FindAll(".learn-cheatsheet script"));
    }
}
