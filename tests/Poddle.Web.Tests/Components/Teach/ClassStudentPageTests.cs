using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Accounts;
using Poddle.Core.Curriculum.Grading;
using Poddle.Web.Components.Teach;

namespace Poddle.Web.Tests.Components.Teach;

public sealed class ClassStudentPageTests : WebServicesContext
{
    private const string Code = "n = int(input())\nprint(n * 2)  # ana's own";

    [Fact]
    public async Task Render_OwnStudent_ShowsTheirCodeAndResults_HiddenCasesBare()
    {
        var teacher = await AddUserAsync("ms-ito", UserRole.Teacher);
        var ana = await AddUserAsync("ana");
        var classroom = await AddClassAsync(teacher, "7B", ana);
        var problem = FirstStarterProblem();
        await AddGradedAsync(ana, problem.Id, Code, [
            CaseResult.ForPublic(0, GradingVerdict.Ok, 5, "21", "42", "42", null),
            CaseResult.ForHidden(1, GradingVerdict.WrongAnswer)]);
        SignIn(teacher, UserRole.Teacher);

        Services.GetRequiredService<NavigationManager>().NavigateTo(WebPaths.Of(WebPaths.ClassStudent, classroom.Id, ana) + "?problem=" + problem.Id);

        var page = Render<ClassStudentPage>(p => p.Add(c => c.Id, classroom.Id).Add(c => c.StudentId, ana));

        page.WaitForAssertion(() => Assert.Equal(Code, page.Find("pre code").TextContent));
        Assert.Equal("ana", page.Find("h1").TextContent.Trim());
        Assert.Contains($"Submissions for {problem.Title}.", page.Markup, StringComparison.Ordinal);
        Assert.Contains("Not yet: 1 of 2 tests passed", page.Markup, StringComparison.Ordinal);
        Assert.Contains("Hidden test: only the result is shown.", page.Markup, StringComparison.Ordinal);
        Assert.Contains("wrong_answer", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_NotTheirStudentOrNotTheirClass_ShowsNotFoundAndNoCode()
    {
        var teacher = await AddUserAsync("ms-ito", UserRole.Teacher);
        var other = await AddUserAsync("mr-bay", UserRole.Teacher);
        var ana = await AddUserAsync("ana");
        var zed = await AddUserAsync("zed");
        var classroom = await AddClassAsync(teacher, "7B", ana);
        await AddGradedAsync(ana, FirstStarterProblem().Id, Code, [CaseResult.ForPublic(0, GradingVerdict.Ok, 5, "21", "42", "42", null)]);
        await AddGradedAsync(zed, FirstStarterProblem().Id, Code, [CaseResult.ForPublic(0, GradingVerdict.Ok, 5, "21", "42", "42", null)]);

        SignIn(teacher, UserRole.Teacher);
        var nonMember = Render<ClassStudentPage>(p => p.Add(c => c.Id, classroom.Id).Add(c => c.StudentId, zed));
        nonMember.WaitForAssertion(() => Assert.Equal("Not found", nonMember.Find("h1").TextContent.Trim()));
        Assert.DoesNotContain("ana's own", nonMember.Markup, StringComparison.Ordinal);

        SignIn(other, UserRole.Teacher);
        var otherTeacher = Render<ClassStudentPage>(p => p.Add(c => c.Id, classroom.Id).Add(c => c.StudentId, ana));
        otherTeacher.WaitForAssertion(() => Assert.Equal("Not found", otherTeacher.Find("h1").TextContent.Trim()));
        Assert.DoesNotContain("ana's own", otherTeacher.Markup, StringComparison.Ordinal);
    }
}
