using Bunit;
using Microsoft.AspNetCore.Components;
using Poddle.Web.Components.Account;

namespace Poddle.Web.Tests.Components.Account;

public sealed class FormFieldTests : ShellContext
{
    [Fact]
    public void Render_WithError_ShowsItNextToTheFieldAsAnAlert()
    {
        RenderFragment input = b => b.AddMarkupContent(0, "<input id=\"email\" aria-describedby=\"email-error\" />");

        var field = Render<FormField>(p => p.Add(f => f.Id, "email").Add(f => f.Label, "Email").Add(f => f.Error, "Enter an email address.").Add(f => f.ChildContent, input));

        Assert.Equal("email", field.Find("label").GetAttribute("for"));
        var error = field.Find("#email-error");
        Assert.Equal("alert", error.GetAttribute("role"));
        Assert.Contains("Enter an email address.", error.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WithoutError_ShowsNoAlert()
    {
        var field = Render<FormField>(p => p.Add(f => f.Id, "email").Add(f => f.Label, "Email"));

        Assert.Empty(field.FindAll("[role=alert]"));
    }
}
