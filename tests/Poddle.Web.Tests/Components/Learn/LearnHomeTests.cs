using Bunit;
using Poddle.Core.Progress;
using Poddle.Web.Components.Learn;

namespace Poddle.Web.Tests.Components.Learn;

public sealed class LearnHomeTests : BunitContext
{
    [Fact]
    public async Task Render_WithoutAnAgeGroup_AsksForOne_AndRemembersTheChoice()
    {
        await using var harness = await LearnHarness.CreateAsync(this);

        var page = Render<LearnHome>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-age-group]").Count));
        await page.Find("[data-age-group='15-18']").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("t-binary-search", page.Markup, StringComparison.Ordinal));
        Assert.Equal("15-18", await harness.InScopeAsync<LearnerPreferenceService, string?>(s => s.AgeGroupAsync(harness.UserId, CancellationToken.None)));
    }

    [Fact]
    public async Task Render_MarksEachProblemSolvedAttemptedOrNew_InWordsAndData()
    {
        await using var harness = await LearnHarness.CreateAsync(this);
        await harness.InScopeAsync<LearnerPreferenceService, Poddle.Core.Common.Result<string>>(s => s.SetAgeGroupAsync(harness.UserId, "11-14", CancellationToken.None));
        await harness.InScopeAsync<ProgressService, Poddle.Core.Common.Result<ProblemProgress>>(s => s.RecordAttemptAsync(harness.UserId, "k-hello-pet", CancellationToken.None));
        await using (var db = harness.Database.CreateContext())
        {
            // Solved as the grading handler leaves it (these tests are about the map, not grading).
            db.Add(new ProblemProgress { UserId = harness.UserId, ProblemId = "k-add", Attempts = 1, BestPassRate = 1, SolvedAt = harness.Clock.GetUtcNow(), SolvedBySubmissionId = Guid.NewGuid() });
            await db.SaveChangesAsync();
        }

        var page = Render<LearnHome>();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-problem='k-add']")));
        Assert.Equal("solved", page.Find("[data-problem='k-add']").GetAttribute("data-status"));
        Assert.Contains("(solved)", page.Find("[data-problem='k-add']").TextContent, StringComparison.Ordinal);
        Assert.Equal("attempted", page.Find("[data-problem='k-hello-pet']").GetAttribute("data-status"));
        Assert.Contains("(tried)", page.Find("[data-problem='k-hello-pet']").TextContent, StringComparison.Ordinal);
        Assert.Equal("new", page.Find("[data-problem='k-countdown']").GetAttribute("data-status"));
        Assert.Contains("(new)", page.Find("[data-problem='k-countdown']").TextContent, StringComparison.Ordinal);
        Assert.Equal(WebPaths.Of(WebPaths.Level, 1), page.Find("[data-cheatsheet='1']").GetAttribute("href"));
        Assert.Single(page.FindAll("h1"));
    }
}
