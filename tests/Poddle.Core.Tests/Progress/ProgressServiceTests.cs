using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Common;
using Poddle.Core.Curriculum.Submissions;
using Poddle.Core.Persistence;
using Poddle.Core.Progress;
using Poddle.Core.Tests.Curriculum.Submissions;
using Poddle.Testing;

namespace Poddle.Core.Tests.Progress;

public sealed class ProgressServiceTests
{
    private static Task<T> With<T>(GradingHarness harness, Func<ProgressService, Task<T>> action) =>
        harness.WithAsync(sp => action(sp.GetRequiredService<ProgressService>()));

    /// <summary>A submission as the grading handler leaves it (arranged directly: these tests are about progress).</summary>
    private static async Task<Submission> AddSubmissionAsync(
        GradingHarness harness, Guid owner, SubmissionStatus status, bool allPassed, string problemId = "secret-add", DateTimeOffset? at = null)
    {
        var when = at ?? harness.Clock.GetStoredUtcNow();
        var submission = new Submission
        {
            Id = Guid.CreateVersion7(),
            OwnerId = owner,
            RateKey = "user:" + owner.ToString("N"),
            ProblemId = problemId,
            ProblemVersion = 1,
            Language = "python",
            Code = "x",
            Status = status,
            Passed = allPassed ? 4 : 2,
            Total = 4,
            PassRate = allPassed ? 1 : 0.5,
            AllPassed = allPassed,
            CreatedAt = when,
            CompletedAt = status is SubmissionStatus.Completed or SubmissionStatus.Failed ? when : null,
        };
        await using var db = harness.Database.CreateContext();
        db.Add(submission);
        await db.SaveChangesAsync();
        return submission;
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RecordAttempt_CountsAsAttemptedNeverSolved(DatabaseProvider provider)
    {
        await using var harness = await GradingHarness.CreateAsync(provider);
        var user = Guid.NewGuid();

        var first = await With(harness, s => s.RecordAttemptAsync(user, "secret-add", CancellationToken.None));
        harness.Clock.Advance(TimeSpan.FromHours(1));
        var second = await With(harness, s => s.RecordAttemptAsync(user, "secret-add", CancellationToken.None));
        var unknown = await With(harness, s => s.RecordAttemptAsync(user, "nope", CancellationToken.None));
        var missing = await With(harness, s => s.RecordAttemptAsync(user, null, CancellationToken.None));

        Assert.Equal((1, false), (first.Value.Attempts, first.Value.Solved));
        Assert.Equal((2, false, 0.0), (second.Value.Attempts, second.Value.Solved, second.Value.BestPassRate));
        Assert.Equal(first.Value.FirstAttemptAt, second.Value.FirstAttemptAt);
        Assert.Equal(harness.Clock.GetUtcNow(), second.Value.LastAttemptAt);
        Assert.Equal(ErrorKind.NotFound, unknown.Error!.Kind);
        Assert.Equal("problemId", missing.Error!.Fields!.Keys.Single());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Complete_OnlyByTheCallersOwnPassingGradedSubmission(DatabaseProvider provider)
    {
        await using var harness = await GradingHarness.CreateAsync(provider);
        var student = Guid.NewGuid();
        var other = Guid.NewGuid();
        var theirs = await AddSubmissionAsync(harness, other, SubmissionStatus.Completed, allPassed: true);
        var failing = await AddSubmissionAsync(harness, student, SubmissionStatus.Completed, allPassed: false);
        var queued = await AddSubmissionAsync(harness, student, SubmissionStatus.Queued, allPassed: false);
        var shout = await AddSubmissionAsync(harness, student, SubmissionStatus.Completed, allPassed: true, problemId: "secret-shout");
        var passing = await AddSubmissionAsync(harness, student, SubmissionStatus.Completed, allPassed: true);

        Task<Result<ProblemProgress>> Complete(Guid user, string? problem, Guid? submission) =>
            With(harness, s => s.CompleteAsync(user, problem, submission, CancellationToken.None));

        Assert.Equal(ErrorKind.NotFound, (await Complete(student, "secret-add", theirs.Id)).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, (await Complete(student, "secret-add", Guid.NewGuid())).Error!.Kind);
        Assert.Equal("submission-not-passed", (await Complete(student, "secret-add", failing.Id)).Error!.Code);
        Assert.Equal("submission-not-graded", (await Complete(student, "secret-add", queued.Id)).Error!.Code);
        Assert.Equal("submission-other-problem", (await Complete(student, "secret-add", shout.Id)).Error!.Code);
        Assert.Equal(["problemId", "submissionId"], (await Complete(student, null, null)).Error!.Fields!.Keys.Order());

        // Completing for another user with one's own submission is impossible: the submission's owner is the caller.
        Assert.Equal(ErrorKind.NotFound, (await Complete(other, "secret-add", passing.Id)).Error!.Kind);

        var done = await Complete(student, "secret-add", passing.Id);
        var again = await Complete(student, "secret-add", passing.Id);

        Assert.Equal((true, passing.Id), (done.Value.Solved, done.Value.SolvedBySubmissionId));
        Assert.Equal((done.Value.SolvedAt, done.Value.Attempts), (again.Value.SolvedAt, again.Value.Attempts));
        Assert.Empty(await With(harness, s => s.ListAsync(other, CancellationToken.None)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Summary_CountsPerLevelAndTheStreakOfGradedDays(DatabaseProvider provider)
    {
        await using var harness = await GradingHarness.CreateAsync(provider);
        var user = Guid.NewGuid();
        var today = harness.Clock.GetStoredUtcNow();

        // Graded on three consecutive days up to today, and once more a week earlier (not part of the streak).
        foreach (var daysAgo in new[] { 7, 2, 1, 0 })
        {
            var at = today.AddDays(-daysAgo);
            var submission = await AddSubmissionAsync(harness, user, SubmissionStatus.Completed, allPassed: daysAgo == 0, at: at);
            await harness.WithAsync(async sp =>
            {
                var db = sp.GetRequiredService<PoddleDbContext>();
                await sp.GetRequiredService<ProgressService>().ApplyGradedAsync(submission, at, CancellationToken.None);
                return await db.SaveChangesAsync();
            });
        }

        // A failed submission (the host's fault) is no activity; an attempt at another level's problem is.
        await AddSubmissionAsync(harness, user, SubmissionStatus.Failed, allPassed: false, at: today.AddDays(-3));
        Assert.True((await With(harness, s => s.RecordAttemptAsync(user, "t-median", CancellationToken.None))).IsSuccess);

        var summary = await With(harness, s => s.SummaryAsync(user, CancellationToken.None));

        var level1 = summary.Levels.Single(l => l.AgeGroup == "11-14" && l.Level == 1);
        Assert.Equal((1, 0, 3), (level1.Solved, level1.Attempted, level1.StreakDays));
        Assert.True(level1.Problems >= 3);
        Assert.Equal(today, level1.LastActivity);
        var medianLevel = (await harness.Catalog.FindAsync("t-median", CancellationToken.None))!.Problem.Level;
        var median = summary.Levels.Single(l => l.AgeGroup == "15-18" && l.Level == medianLevel);
        Assert.Equal((0, 1, 0), (median.Solved, median.Attempted, median.StreakDays));
        Assert.Equal((1, 1, 3), (summary.Solved, summary.Attempted, summary.StreakDays));
        Assert.Equal(6, summary.Levels.Count);

        // Tomorrow the streak still stands (today's is not over); the day after, it is broken.
        harness.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(3, (await With(harness, s => s.SummaryAsync(user, CancellationToken.None))).StreakDays);
        harness.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, (await With(harness, s => s.SummaryAsync(user, CancellationToken.None))).StreakDays);
    }

    [Fact]
    public void Streak_ConsecutiveDaysEndingTodayOrYesterday()
    {
        var today = new DateOnly(2030, 3, 1);
        HashSet<DateOnly> Days(params int[] ago) => [.. ago.Select(a => today.AddDays(-a))];

        Assert.Equal(0, ProgressService.Streak(Days(), today));
        Assert.Equal(1, ProgressService.Streak(Days(0), today));
        Assert.Equal(3, ProgressService.Streak(Days(0, 1, 2, 4), today));
        Assert.Equal(2, ProgressService.Streak(Days(1, 2), today));
        Assert.Equal(0, ProgressService.Streak(Days(2, 3), today));
    }
}
