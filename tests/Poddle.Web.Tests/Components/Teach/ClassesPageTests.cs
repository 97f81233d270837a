using Bunit;
using Poddle.Core.Accounts;
using Poddle.Web.Components.Teach;

namespace Poddle.Web.Tests.Components.Teach;

public sealed class ClassesPageTests : WebServicesContext
{
    [Fact]
    public async Task Create_NamedClass_ShowsItsJoinCodeAndListsIt()
    {
        var teacher = await AddUserAsync("ms-ito", UserRole.Teacher);
        var other = await AddUserAsync("mr-bay", UserRole.Teacher);
        await AddClassAsync(other, "Not mine");
        SignIn(teacher, UserRole.Teacher);
        var page = Render<ClassesPage>();
        page.WaitForAssertion(() => Assert.Contains("You have no classes yet.", page.Markup, StringComparison.Ordinal));

        page.Find("input").Change("8A maths");
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Contains("Class 8A maths is ready.", page.Markup, StringComparison.Ordinal));
        var code = page.Find(".join-code").TextContent.Trim();
        Assert.Matches($"^[{Poddle.Core.Classes.ClassService.JoinCodeAlphabet}]{{8}}$", code);
        Assert.Single(page.FindAll("tbody tr"));
        Assert.DoesNotContain("Not mine", page.Markup, StringComparison.Ordinal);
    }
}
