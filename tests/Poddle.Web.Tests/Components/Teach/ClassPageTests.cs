using Bunit;
using Poddle.Core.Accounts;
using Poddle.Core.Curriculum.Grading;
using Poddle.Web.Components.Teach;

namespace Poddle.Web.Tests.Components.Teach;

public sealed class ClassPageTests : WebServicesContext
{
    [Fact]
    public async Task Render_SolvedProblem_CellSaysSolvedAndLinksToTheStudentsCode()
    {
        var teacher = await AddUserAsync("ms-ito", UserRole.Teacher);
        var ana = await AddUserAsync("ana");
        var ben = await AddUserAsync("ben");
        var classroom = await AddClassAsync(teacher, "7B", ana, ben);
        var problem = FirstStarterProblem();
        await AddGradedAsync(ana, problem.Id, "print('solved')", [CaseResult.ForPublic(0, GradingVerdict.Ok, 5, "", "x", "x", null)]);
        SignIn(teacher, UserRole.Teacher);

        var page = Render<ClassPage>(p => p.Add(c => c.Id, classroom.Id));

        page.WaitForAssertion(() =>
        {
            var solved = page.Find($"a[aria-label='ana, {problem.Title}: solved']");
            Assert.Equal("solved", solved.GetAttribute("data-status"));
            Assert.Contains("solved", solved.TextContent, StringComparison.Ordinal);
            Assert.Equal(WebPaths.Of(WebPaths.ClassStudent, classroom.Id, ana) + "?problem=" + problem.Id, solved.GetAttribute("href"));
            Assert.Equal("new", page.Find($"a[aria-label='ben, {problem.Title}: new']").GetAttribute("data-status"));
        });
        Assert.Equal("7B", page.Find("h1").TextContent.Trim());
        Assert.Contains(classroom.JoinCode, page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_AnotherTeachersClass_ShowsNotFoundAndNothingOfIt()
    {
        var teacher = await AddUserAsync("ms-ito", UserRole.Teacher);
        var other = await AddUserAsync("mr-bay", UserRole.Teacher);
        var ana = await AddUserAsync("ana");
        var classroom = await AddClassAsync(teacher, "Secret 7B", ana);
        SignIn(other, UserRole.Teacher);

        var page = Render<ClassPage>(p => p.Add(c => c.Id, classroom.Id));

        page.WaitForAssertion(() => Assert.Equal("Not found", page.Find("h1").TextContent.Trim()));
        Assert.DoesNotContain("Secret 7B", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain(classroom.JoinCode, page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("ana", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_AfterConfirming_TheStudentLeavesTheRoster()
    {
        var teacher = await AddUserAsync("ms-ito", UserRole.Teacher);
        var ana = await AddUserAsync("ana");
        var classroom = await AddClassAsync(teacher, "7B", ana);
        SignIn(teacher, UserRole.Teacher);
        var page = Render<ClassPage>(p => p.Add(c => c.Id, classroom.Id));
        page.WaitForAssertion(() => page.Find("button[aria-label='Remove ana from the class']"));

        page.Find("button[aria-label='Remove ana from the class']").Click();
        page.WaitForAssertion(() => Assert.Contains("Remove ana from the class?", page.Markup, StringComparison.Ordinal));
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Remove").Click();

        page.WaitForAssertion(() => Assert.Contains("No students have joined yet.", page.Markup, StringComparison.Ordinal));
    }
}
