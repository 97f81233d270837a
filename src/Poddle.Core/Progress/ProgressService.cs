using Microsoft.EntityFrameworkCore;
using Poddle.Core.Common;
using Poddle.Core.Curriculum;
using Poddle.Core.Curriculum.Submissions;
using Poddle.Core.Persistence;

namespace Poddle.Core.Progress;

/// <summary>One level in a progress summary.</summary>
public sealed record LevelProgress(string AgeGroup, int Level, string Title, int Problems, int Solved, int Attempted, int StreakDays, DateTimeOffset? LastActivity);

/// <summary>A user's progress over the catalog: per level, and totals.</summary>
/// <param name="Levels">Each level of the catalog, in order.</param>
/// <param name="Solved">Problems solved (of those listed in the catalog).</param>
/// <param name="Attempted">Problems attempted and not (yet) solved.</param>
/// <param name="StreakDays">Consecutive UTC days with a graded submission, up to today (or yesterday, while today has none yet).</param>
/// <param name="LastActivity">The latest attempt or graded submission.</param>
public sealed record ProgressSummary(IReadOnlyList<LevelProgress> Levels, int Solved, int Attempted, int StreakDays, DateTimeOffset? LastActivity);

/// <summary>
/// Students' progress: attempts, best pass rate, completion. A problem is solved only by a graded submission that
/// passed every case, recorded by the grading handler (<see cref="ApplyGradedAsync"/>) in the same transaction as the
/// submission's result. <see cref="CompleteAsync"/> only confirms such a submission of the caller's own.
/// </summary>
public sealed class ProgressService(PoddleDbContext db, IProblemCatalog catalog, IDatabaseErrors errors, TimeProvider clock) : IGradedSubmissionListener
{
    /// <summary>How far back the streak looks (a streak longer than this reads as this long).</summary>
    public const int MaxStreakDays = 400;

    /// <summary>The user's progress on every problem touched, most recent first.</summary>
    public async Task<IReadOnlyList<ProblemProgress>> ListAsync(Guid userId, CancellationToken cancellationToken) =>
        await db.Set<ProblemProgress>().AsNoTracking()
            .Where(p => p.UserId == userId)
            .OrderByDescending(p => p.LastAttemptAt)
            .ThenBy(p => p.ProblemId)
            .ToListAsync(cancellationToken);

    /// <summary>
    /// Records a graded submission on the tracked context (the caller saves, with the submission): one more attempt,
    /// the best pass rate, and the first completion when every case passed.
    /// </summary>
    public async Task ApplyGradedAsync(Submission submission, DateTimeOffset gradedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var row = await FindOrAddAsync(submission.OwnerId, submission.ProblemId, cancellationToken);
        Touch(row, gradedAt);
        row.BestPassRate = Math.Max(row.BestPassRate, submission.PassRate ?? 0);
        if (submission.AllPassed && row.SolvedAt is null)
        {
            row.SolvedAt = gradedAt;
            row.SolvedBySubmissionId = submission.Id;
        }
    }

    /// <summary>The client says the user tried the problem: it counts as attempted, never as solved.</summary>
    public async Task<Result<ProblemProgress>> RecordAttemptAsync(Guid userId, string? problemId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(problemId))
        {
            return Error.Validation(FieldPath.Of(nameof(problemId)), "The problem id is required.");
        }

        if (await catalog.FindAsync(problemId, cancellationToken) is not { Archived: false })
        {
            return Error.NotFound("Problem");
        }

        return await SaveWithRetryAsync(async () =>
        {
            var row = await FindOrAddAsync(userId, problemId, cancellationToken);
            Touch(row, clock.GetStoredUtcNow());
            return row;
        }, cancellationToken);
    }

    /// <summary>
    /// Confirms a completion: succeeds only when <paramref name="submissionId"/> is the caller's own graded submission
    /// of <paramref name="problemId"/> that passed every case (404 for another user's or an unknown one, 409 naming why
    /// otherwise). Idempotent: the first passing submission stays the one that solved it.
    /// </summary>
    public async Task<Result<ProblemProgress>> CompleteAsync(Guid userId, string? problemId, Guid? submissionId, CancellationToken cancellationToken)
    {
        var fields = new FieldErrors();
        if (string.IsNullOrWhiteSpace(problemId))
        {
            fields.Add(FieldPath.Of(nameof(problemId)), "The problem id is required.");
        }

        if (submissionId is null || submissionId == Guid.Empty)
        {
            fields.Add(FieldPath.Of(nameof(submissionId)), "The id of a graded submission that passed every case is required.");
        }

        if (!fields.IsEmpty)
        {
            return fields.ToError();
        }

        var submission = await db.Set<Submission>().AsNoTracking()
            .FirstOrDefaultAsync(s => s.Id == submissionId && s.OwnerId == userId, cancellationToken);
        if (submission is null)
        {
            return Error.NotFound("Submission");
        }

        if (!string.Equals(submission.ProblemId, problemId, StringComparison.Ordinal))
        {
            return Error.Conflict(ProgressErrorCodes.SubmissionOtherProblem, $"Submission {submission.Id} is of problem '{submission.ProblemId}', not '{problemId}'.", FieldPath.Of(nameof(submissionId)));
        }

        if (submission.Status != SubmissionStatus.Completed)
        {
            return Error.Conflict(ProgressErrorCodes.SubmissionNotGraded, $"Submission {submission.Id} is {submission.Status.ToString().ToLowerInvariant()}, not graded; wait for its result.", FieldPath.Of(nameof(submissionId)));
        }

        if (!submission.AllPassed)
        {
            return Error.Conflict(ProgressErrorCodes.SubmissionNotPassed, $"Submission {submission.Id} passed {submission.Passed} of {submission.Total} cases; a problem completes only when every case passes.", FieldPath.Of(nameof(submissionId)));
        }

        return await SaveWithRetryAsync(async () =>
        {
            var row = await FindOrAddAsync(userId, submission.ProblemId, cancellationToken);
            var gradedAt = submission.CompletedAt ?? submission.CreatedAt;
            row.FirstAttemptAt ??= gradedAt;
            row.LastAttemptAt ??= gradedAt;
            row.Attempts = Math.Max(row.Attempts, 1);
            row.BestPassRate = Math.Max(row.BestPassRate, submission.PassRate ?? 0);
            if (row.SolvedAt is null)
            {
                row.SolvedAt = gradedAt;
                row.SolvedBySubmissionId = submission.Id;
            }

            return row;
        }, cancellationToken);
    }

    /// <summary>The user's progress per level of the catalog, and totals.</summary>
    public async Task<ProgressSummary> SummaryAsync(Guid userId, CancellationToken cancellationToken)
    {
        var levels = await catalog.LevelsAsync(cancellationToken);
        var problems = await catalog.ListAsync(cancellationToken);
        var rows = await ListAsync(userId, cancellationToken);
        var graded = await GradedDaysAsync([userId], cancellationToken);
        return Summarize(levels, problems, rows, graded.GetValueOrDefault(userId, []), Today());
    }

    /// <summary>Summaries of many users at once (a class), with each user's rows.</summary>
    public async Task<IReadOnlyDictionary<Guid, (ProgressSummary Summary, IReadOnlyList<ProblemProgress> Rows)>> SummariesAsync(
        IReadOnlyCollection<Guid> userIds, CancellationToken cancellationToken)
    {
        var levels = await catalog.LevelsAsync(cancellationToken);
        var problems = await catalog.ListAsync(cancellationToken);
        var ids = userIds.ToList();
        var rows = (await db.Set<ProblemProgress>().AsNoTracking().Where(p => ids.Contains(p.UserId)).ToListAsync(cancellationToken))
            .ToLookup(p => p.UserId);
        var graded = await GradedDaysAsync(ids, cancellationToken);
        var today = Today();
        return ids.Distinct().ToDictionary(
            id => id,
            id =>
            {
                IReadOnlyList<ProblemProgress> mine = [.. rows[id].OrderByDescending(p => p.LastAttemptAt).ThenBy(p => p.ProblemId)];
                return (Summarize(levels, problems, mine, graded.GetValueOrDefault(id, []), today), mine);
            });
    }

    /// <summary>
    /// Consecutive days ending today with activity; while today has none yet, ending yesterday (a streak is not lost
    /// before the day is over).
    /// </summary>
    public static int Streak(IReadOnlySet<DateOnly> days, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(days);
        var day = days.Contains(today) ? today : today.AddDays(-1);
        var streak = 0;
        while (days.Contains(day) && streak < MaxStreakDays)
        {
            streak++;
            day = day.AddDays(-1);
        }

        return streak;
    }

    private DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    private static ProgressSummary Summarize(
        IReadOnlyList<Curriculum.Level> levels, IReadOnlyList<CatalogProblem> problems, IReadOnlyList<ProblemProgress> rows,
        IReadOnlyList<(string ProblemId, DateOnly Day)> graded, DateOnly today)
    {
        var byProblem = rows.ToDictionary(r => r.ProblemId, StringComparer.Ordinal);
        var result = new List<LevelProgress>();
        foreach (var level in levels)
        {
            var ids = problems.Where(p => p.Problem.AgeGroup == level.AgeGroup && p.Problem.Level == level.Number)
                .Select(p => p.Problem.Id).ToHashSet(StringComparer.Ordinal);
            var mine = ids.Select(id => byProblem.GetValueOrDefault(id)).OfType<ProblemProgress>().ToList();
            var days = graded.Where(g => ids.Contains(g.ProblemId)).Select(g => g.Day).ToHashSet();
            result.Add(new LevelProgress(
                level.AgeGroup,
                level.Number,
                level.Title,
                ids.Count,
                mine.Count(r => r.Solved),
                mine.Count(r => !r.Solved),
                Streak(days, today),
                mine.Max(r => r.LastAttemptAt)));
        }

        return new ProgressSummary(
            result,
            result.Sum(l => l.Solved),
            result.Sum(l => l.Attempted),
            Streak(graded.Select(g => g.Day).ToHashSet(), today),
            rows.Max(r => r.LastAttemptAt));
    }

    /// <summary>The problem and UTC day of each graded submission of the users within the streak's reach.</summary>
    private async Task<Dictionary<Guid, List<(string ProblemId, DateOnly Day)>>> GradedDaysAsync(List<Guid> userIds, CancellationToken cancellationToken)
    {
        var since = clock.GetStoredUtcNow().AddDays(-(MaxStreakDays + 1));
        var graded = await db.Set<Submission>().AsNoTracking()
            .Where(s => userIds.Contains(s.OwnerId) && s.Status == SubmissionStatus.Completed && s.CreatedAt >= since)
            .Select(s => new { s.OwnerId, s.ProblemId, s.CompletedAt, s.CreatedAt })
            .ToListAsync(cancellationToken);
        return graded
            .GroupBy(g => g.OwnerId)
            .ToDictionary(
                g => g.Key,
                g => g.Select(s => (s.ProblemId, DateOnly.FromDateTime((s.CompletedAt ?? s.CreatedAt).UtcDateTime))).Distinct().ToList());
    }

    private static void Touch(ProblemProgress row, DateTimeOffset at)
    {
        row.Attempts++;
        row.FirstAttemptAt ??= at;
        row.LastAttemptAt = row.LastAttemptAt is { } last && last > at ? last : at;
    }

    private async Task<ProblemProgress> FindOrAddAsync(Guid userId, string problemId, CancellationToken cancellationToken)
    {
        var row = await db.Set<ProblemProgress>().FirstOrDefaultAsync(p => p.UserId == userId && p.ProblemId == problemId, cancellationToken);
        if (row is null)
        {
            row = new ProblemProgress { UserId = userId, ProblemId = problemId };
            db.Set<ProblemProgress>().Add(row);
        }

        return row;
    }

    /// <summary>Two requests of one user may both add the row; the loser of that race reads it and applies its change again.</summary>
    private async Task<Result<ProblemProgress>> SaveWithRetryAsync(Func<Task<ProblemProgress>> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var row = await change();
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                db.Entry(row).State = EntityState.Detached;
                return row;
            }
            catch (DbUpdateException ex) when (attempt < 3 && errors.IsUniqueViolation(ex))
            {
                db.ChangeTracker.Clear();
            }
        }
    }
}
