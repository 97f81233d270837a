using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Accounts;
using Poddle.Core.Curriculum;
using Poddle.Web.Components.Teach;

namespace Poddle.Web.Tests.Components.Teach;

public sealed class ProblemEditPageTests : WebServicesContext
{
    /// <summary>The scripted executor echoes stdin, so "print(input())" passes a case whose output is its input and fails the others.</summary>
    private const string EchoSolution = "print(input())\n";

    [Fact]
    public async Task Save_ReferenceSolutionFailsAHiddenTest_IsRefusedAndTheTestIsMarked()
    {
        var teacher = await AddUserAsync("ms-ito", UserRole.Teacher);
        SignIn(teacher, UserRole.Teacher);
        var page = Render<ProblemEditPage>();
        page.WaitForAssertion(() => page.Find("form"));

        Fill(page, "Title", "Echo it");
        Fill(page, "Statement (Markdown)", "Print the line **back**.");
        Fill(page, "Input", "hello");
        Fill(page, "Expected output", "hello");
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Add a test").Click();
        page.FindAll("input[type=checkbox]")[1].Change(true);
        Fill(page, "Input", "quiet", 1);
        Fill(page, "Expected output", "QUIET", 1);
        Fill(page, "Reference solution", EchoSolution);
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Contains("reference solution fails: wrong_answer", page.Find("[data-test-index='1']").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.Find("[data-test-index='0']").QuerySelectorAll("[data-testid='failed-test']"));
        Assert.Contains("tests[1] (hidden): wrong_answer", page.Find("[data-testid='problem-errors']").TextContent, StringComparison.Ordinal);
        var saved = await WithAsync<ProblemService, Poddle.Core.Common.Result<StoredProblemView>>(s => s.GetAsync("echo-it", CancellationToken.None));
        Assert.False(saved.IsSuccess);
    }

    [Fact]
    public async Task Save_ReferenceSolutionPasses_CreatesTheProblem()
    {
        var teacher = await AddUserAsync("ms-ito", UserRole.Teacher);
        SignIn(teacher, UserRole.Teacher);
        var page = Render<ProblemEditPage>();
        page.WaitForAssertion(() => page.Find("form"));

        Fill(page, "Title", "Echo it");
        Fill(page, "Statement (Markdown)", "Print the line **back**.");
        Fill(page, "Input", "hello");
        Fill(page, "Expected output", "hello");
        Fill(page, "Reference solution", EchoSolution);
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Contains("Saved.", page.Markup, StringComparison.Ordinal));
        var saved = await WithAsync<ProblemService, Poddle.Core.Common.Result<StoredProblemView>>(s => s.GetAsync("echo-it", CancellationToken.None));
        Assert.True(saved.IsSuccess);
        Assert.EndsWith(WebPaths.Of(WebPaths.EditProblem, "echo-it"), Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
        Assert.Equal((teacher, "Echo it"), (saved.Value.AuthorId!.Value, saved.Value.Problem.Title));
    }

    [Fact]
    public async Task Statement_IsPreviewedAsSanitizedMarkdown()
    {
        var teacher = await AddUserAsync("ms-ito", UserRole.Teacher);
        SignIn(teacher, UserRole.Teacher);
        var page = Render<ProblemEditPage>();
        page.WaitForAssertion(() => page.Find("form"));

        Fill(page, "Statement (Markdown)", "Add **two** numbers <script>alert(1)</script> [x](javascript:alert(1))");

        page.WaitForAssertion(() => Assert.Equal("two", page.Find("[data-testid='statement-preview'] strong").TextContent));
        var preview = page.Find("[data-testid='statement-preview']").InnerHtml;
        Assert.DoesNotContain("<script", preview, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", preview, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Edit_AnotherTeachersProblem_ShowsNotFoundAndNoHiddenCase()
    {
        var author = await AddUserAsync("ms-ito", UserRole.Teacher);
        var other = await AddUserAsync("mr-bay", UserRole.Teacher);
        var draft = new ProblemDraft(
            "secret-echo", "Secret echo", "11-14", 1, null, 1, [], "Echo.", "", null, null, null, null,
            [new TestCaseDraft("a", "a", null, null, false), new TestCaseDraft("zebra-7731", "zebra-7731", null, null, true)], null, null);
        var session = CurriculumLoader.LoadStarter().Levels[0].Sessions[0];
        await WithAsync<ProblemService, Poddle.Core.Common.Result<StoredProblemView>>(
            s => s.CreateAsync(new CurriculumCaller(author, UserRole.Teacher), draft with { Session = session }, CancellationToken.None));
        SignIn(other, UserRole.Teacher);

        var page = Render<ProblemEditPage>(p => p.Add(c => c.Id, "secret-echo"));

        page.WaitForAssertion(() => Assert.Equal("Not found", page.Find("h1").TextContent.Trim()));
        Assert.DoesNotContain("zebra-7731", page.Markup, StringComparison.Ordinal);
    }

    /// <summary>Types into the <paramref name="nth"/> text field labelled <paramref name="label"/>.</summary>
    private static void Fill(IRenderedComponent<ProblemEditPage> page, string label, string value, int nth = 0)
    {
        var field = page.FindAll(".mud-input-control")
            .Where(c => c.QuerySelector("label")?.TextContent.Trim() == label)
            .Select(c => c.QuerySelector("textarea") ?? c.QuerySelector("input"))
            .ElementAt(nth)!;

        // Fields that update as one types (the statement) listen to input; the others to change.
        if (field.HasAttribute("blazor:oninput"))
        {
            field.Input(value);
        }
        else
        {
            field.Change(value);
        }
    }
}
