using Bunit;
using Poddle.Web.Components.Layout;
using Poddle.Web.Localization;

namespace Poddle.Web.Tests.Components.Layout;

public sealed class LanguageMenuTests : ShellContext
{
    [Fact]
    public void Render_OffersEachLanguageInItsOwnLanguage_AsAPostWithAntiforgery()
    {
        var menu = Render<LanguageMenu>(p => p.Add(m => m.ReturnUrl, "/learn"));

        var form = menu.Find("form");
        Assert.Equal(PreferenceEndpoints.LanguagePath, form.GetAttribute("action"));
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.Equal("test-token", menu.Find("input[name='__RequestVerificationToken']").GetAttribute("value"));
        Assert.Equal("/learn", menu.Find("input[name='returnUrl']").GetAttribute("value"));
        var buttons = menu.FindAll("button[name='language']");
        Assert.Equal(["en", "ru", "uz-Latn"], buttons.Select(b => b.GetAttribute("value")));
        Assert.Equal(["English", "Русский", "Oʻzbekcha"], buttons.Select(b => b.TextContent.Trim()));
        Assert.Equal(["en", "ru", "uz-Latn"], buttons.Select(b => b.GetAttribute("lang")));
        Assert.Contains("Language", menu.Find("summary").GetAttribute("aria-label"), StringComparison.Ordinal);
    }
}
