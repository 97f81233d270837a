using Bunit;
using Poddle.Core.Curriculum.Submissions;
using Poddle.Web.Components.Learn;

namespace Poddle.Web.Tests.Components.Learn;

public sealed class ProgressPageTests : BunitContext
{
    [Fact]
    public async Task Render_ListsTheStudentsOwnSubmissionsWithCode_NeverAnothers()
    {
        await using var harness = await LearnHarness.CreateAsync(this);
        await using (var db = harness.Database.CreateContext())
        {
            db.Add(Submission(harness.UserId, "print('mine')"));
            db.Add(Submission(Guid.NewGuid(), "print('someone else')"));
            await db.SaveChangesAsync();
        }

        var page = Render<ProgressPage>();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-submission]")));
        Assert.Contains("print('mine')", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("someone else", page.Markup, StringComparison.Ordinal);
        Assert.Contains("1 of 2 tests passed", page.Find("[data-submission]").TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll("[data-level='11-14/1']"));

        Submission Submission(Guid owner, string code) => new()
        {
            Id = Guid.CreateVersion7(),
            OwnerId = owner,
            RateKey = "user:" + owner.ToString("N"),
            ProblemId = "secret-shout",
            ProblemVersion = 1,
            Language = "python",
            Code = code,
            Status = SubmissionStatus.Completed,
            Passed = 1,
            Total = 2,
            PassRate = 0.5,
            CreatedAt = harness.Clock.GetUtcNow(),
            CompletedAt = harness.Clock.GetUtcNow(),
        };
    }
}
