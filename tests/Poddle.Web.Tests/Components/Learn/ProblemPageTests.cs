using System.Text;
using Bunit;
using Poddle.Core.Common;
using Poddle.Core.Curriculum.Submissions;
using Poddle.Core.Executions;
using Poddle.Core.Progress;
using Poddle.Drivers.Abstractions.Execution;
using Poddle.Testing;
using Poddle.Web.Components.Learn;

namespace Poddle.Web.Tests.Components.Learn;

public sealed class ProblemPageTests : BunitContext
{
    private IRenderedComponent<ProblemPage> RenderProblem(string slug = "secret-shout")
    {
        var page = Render<ProblemPage>(p => p.Add(x => x.Slug, slug));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindComponents<CodeEditor>()));
        return page;
    }

    [Fact]
    public async Task Render_ShowsStatementPublicExamplesAndStarterCode_NoHiddenCase()
    {
        await using var harness = await LearnHarness.CreateAsync(this);

        var page = RenderProblem();

        Assert.Equal("Shout", page.Find("h1").TextContent.Trim());
        Assert.Contains("Print the line in capitals.", page.Find(".learn-statement").InnerHtml, StringComparison.Ordinal);
        Assert.Contains("HELLO", page.Find(".learn-examples").TextContent, StringComparison.Ordinal);
        Assert.Equal("print(input())\n", page.FindComponent<CodeEditor>().Instance.Code);
        AssertNoHiddenContent(page);
    }

    [Fact]
    public async Task Run_ShowsOutputVerdictTimeAndMemory_WhenTheRunEnds()
    {
        await using var harness = await LearnHarness.CreateAsync(this);
        var page = RenderProblem();
        page.Find("textarea").Change("hi there");

        var click = page.Find("#learn-run").ClickAsync(new());
        await harness.RunNextJobAsync(ExecutionService.JobKind);
        await click;

        page.WaitForAssertion(() => Assert.Equal("hi there", page.Find("#learn-stdout").TextContent));
        Assert.Equal("ok", page.Find("[data-verdict]").GetAttribute("data-verdict"));
        Assert.Equal("Time: 12 ms · Memory: 9.6 MB", page.Find("#learn-run-stats").TextContent.Trim());
    }

    [Fact]
    public async Task Run_CompileError_ShowsTheCompilersLinesInWords()
    {
        await using var harness = await LearnHarness.CreateAsync(this);
        var page = RenderProblem();
        await page.FindComponent<MudBlazor.MudSelect<string>>().InvokeAsync(() => page.FindComponent<MudBlazor.MudSelect<string>>().Instance.ValueChanged.InvokeAsync("c"));
        await page.InvokeAsync(() => page.FindComponent<CodeEditor>().Instance.CodeChanged.InvokeAsync("int main() { error }"));

        var click = page.Find("#learn-run").ClickAsync(new());
        await harness.RunNextJobAsync(ExecutionService.JobKind);
        await click;

        page.WaitForAssertion(() => Assert.Contains("main.c:1:1: error: expected ';'", page.Find("#learn-compile").TextContent, StringComparison.Ordinal));
        Assert.Contains("The computer could not understand your code", page.Find("[data-verdict='compile_error']").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RateLimited_SaysHowLongToWaitInWords()
    {
        await using var harness = await LearnHarness.CreateAsync(this, execution: o => o.RateLimit.PerMinute = 1);
        await harness.RunElsewhereAsync();
        var page = RenderProblem();

        await page.Find("#learn-run").ClickAsync(new());

        Assert.Equal("You are going very fast! Wait 60 seconds, then try again.", page.Find("#learn-error").TextContent.Trim());
    }

    [Fact]
    public async Task Submit_WrongAnswer_HiddenTestShowsOnlyPassedOrFailed()
    {
        await using var harness = await LearnHarness.CreateAsync(this);
        var page = RenderProblem();

        // The scripted executor echoes stdin: both cases fail, and the hidden one's input would be its output.
        var click = page.Find("#learn-submit").ClickAsync(new());
        await harness.RunNextJobAsync(SubmissionService.JobKind);
        await click;

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("tr[data-case]").Count));
        var hidden = page.Find("tr[data-hidden='true']");
        Assert.Contains("Not passed", hidden.TextContent, StringComparison.Ordinal);
        Assert.Contains("secret test", hidden.TextContent, StringComparison.Ordinal);
        Assert.Contains("hello", page.Find("tr[data-case='0']").TextContent, StringComparison.Ordinal);
        Assert.Equal("0 of 2 tests passed", page.Find("#learn-score").TextContent.Trim());
        var rows = page.FindComponent<GradedCases>().Instance.Rows;
        Assert.All(rows.Where(r => r.Hidden), r => Assert.Equal((null, null, null, null, null), (r.Input, r.Expected, r.Actual, r.Error, r.TimeMs)));
        AssertNoHiddenContent(page);
    }

    [Fact]
    public async Task Submit_SeveralTests_ShowsEachRowAsSoonAsItIsGraded()
    {
        await using var harness = await LearnHarness.CreateAsync(this);
        // The hidden case (the second) waits until the page has shown the first one's row.
        using var hiddenCase = new ManualResetEventSlim();
        harness.Executor.Behaviour = r =>
        {
            var stdin = Encoding.UTF8.GetString(r.Stdin.Span);
            if (stdin.StartsWith("quiet-zebra", StringComparison.Ordinal))
            {
                hiddenCase.Wait(TimeSpan.FromMinutes(1));
            }

            return new CodeExecutionResult("python", "3.11.2", null, ScriptedCodeExecutor.Ok(stdin.ToUpperInvariant()));
        };
        var page = RenderProblem();

        var click = page.Find("#learn-submit").ClickAsync(new());
        var grading = harness.RunNextJobAsync(SubmissionService.JobKind);
        try
        {
            page.WaitForAssertion(() => Assert.Single(page.FindAll("tr[data-case]")), TimeSpan.FromSeconds(60));
            Assert.Equal("false", page.Find("tr[data-case='0']").GetAttribute("data-hidden"));
            Assert.Equal("Tests checked so far: 1…", page.Find("#learn-checked").TextContent.Trim());
            Assert.Empty(page.FindAll("#learn-score"));
            Assert.Empty(page.FindAll("#learn-solved"));
        }
        finally
        {
            hiddenCase.Set();
        }

        await grading;
        await click;
        page.WaitForAssertion(() => Assert.NotNull(page.Find("#learn-solved")), TimeSpan.FromSeconds(60));
        Assert.Equal(2, page.FindAll("tr[data-case]").Count);
        Assert.Empty(page.FindAll("#learn-checked"));
        AssertNoHiddenContent(page);
    }

    [Fact]
    public async Task Submit_EveryTestPasses_SaysSolved()
    {
        await using var harness = await LearnHarness.CreateAsync(this);
        harness.Executor.Behaviour = r => new CodeExecutionResult("python", "3.11.2", null, ScriptedCodeExecutor.Ok(Encoding.UTF8.GetString(r.Stdin.Span).ToUpperInvariant()));
        var page = RenderProblem();

        var click = page.Find("#learn-submit").ClickAsync(new());
        await harness.RunNextJobAsync(SubmissionService.JobKind);
        await click;

        page.WaitForAssertion(() => Assert.NotNull(page.Find("#learn-solved")));
        Assert.Equal(2, page.FindAll("tr[data-case]").Count);
    }

    [Fact]
    public async Task Draft_SavedAfterTyping_IsLoadedOnAnotherRender_AndResetBringsBackTheStarter()
    {
        await using var harness = await LearnHarness.CreateAsync(this);
        var first = RenderProblem();
        await first.InvokeAsync(() => first.FindComponent<CodeEditor>().Instance.CodeChanged.InvokeAsync("print('half done')"));

        harness.Clock.Advance(ProblemPage.DraftDelay);
        await Poll.UntilAsync(
            async () => (await Draft(harness)).IsSuccess,
            "the draft to be saved after the student stops typing");

        var second = RenderProblem();
        Assert.Equal("print('half done')", second.FindComponent<CodeEditor>().Instance.Code);

        await second.Find("#learn-reset").ClickAsync(new());
        await second.Find("#learn-reset-yes").ClickAsync(new());
        Assert.Equal("print(input())\n", second.FindComponent<CodeEditor>().Instance.Code);
        Assert.Equal(ErrorKind.NotFound, (await Draft(harness)).Error!.Kind);
    }

    private static Task<Result<CodeDraft>> Draft(LearnHarness harness) =>
        harness.InScopeAsync<CodeDraftService, Result<CodeDraft>>(s => s.GetAsync(harness.UserId, "secret-shout", null, CancellationToken.None));

    private static void AssertNoHiddenContent(IRenderedComponent<ProblemPage> page)
    {
        foreach (var marker in InMemoryProblemCatalog.HiddenMarkers)
        {
            Assert.DoesNotContain(marker, page.Markup, StringComparison.Ordinal);
        }
    }
}
