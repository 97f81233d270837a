using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Poddle.Core.Common;
using Poddle.Core.Curriculum.Grading;
using Poddle.Core.Executions;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;

namespace Poddle.Core.Curriculum.Submissions;

/// <summary>
/// Grades a queued submission with <see cref="ProblemGrader"/>, stores the result and records progress, in one
/// transaction. Idempotent: a submission already graded or failed is left alone, so a redelivered job (at-least-once)
/// neither grades twice nor counts an attempt twice. A host failure marks the submission failed with a message (it does
/// not count as an attempt) instead of failing the job, so a broken sandbox cannot make the job retry forever.
/// </summary>
public sealed partial class GradingJobHandler(
    PoddleDbContext db,
    IProblemCatalog catalog,
    ProblemGrader grader,
    IGradedSubmissionListener progress,
    ExecutionNotifier notifier,
    IDatabaseErrors errors,
    TimeProvider clock,
    ILogger<GradingJobHandler> logger) : IJobHandler
{
    /// <inheritdoc />
    public string Kind => SubmissionService.JobKind;

    /// <inheritdoc />
    public async Task HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Guid.TryParse(context.Payload, out var id))
        {
            LogBadPayload(logger, context.JobId);
            return;
        }

        var submission = await db.Set<Submission>().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (submission is null || submission.Status is SubmissionStatus.Completed or SubmissionStatus.Failed)
        {
            notifier.Finish(id);
            return;
        }

        // The catalog serves a problem's current version. When it was edited after this submission was queued, the
        // current version is graded (the student sees and is graded against the same text) and recorded.
        var found = await catalog.FindAsync(submission.ProblemId, cancellationToken);
        if (found is null)
        {
            await FailAsync(submission, $"Problem '{submission.ProblemId}' no longer exists.");
            return;
        }

        submission.Status = SubmissionStatus.Grading;
        submission.StartedAt = clock.GetStoredUtcNow();
        submission.ProblemVersion = found.Version;
        submission.ResultJson = null; // a redelivered job grades again from the first case
        await db.SaveChangesAsync(cancellationToken);

        GradingResult result;
        var finished = new List<CaseResult>();
        try
        {
            result = await grader.GradeAsync(
                found.Problem, submission.Code, submission.Language, (c, ct) => StoreCaseAsync(submission, finished, c, ct), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The executor reports host failures as internal_error verdicts; this is the net under a bug.
            LogGraderFailed(logger, ex, id);
            await FailAsync(submission, "The grader failed in the host; the error is in the server's log. This submission does not count; submit again.");
            return;
        }

        // Stored even when the server is stopping now: the code ran, and grading it again would only repeat it. The
        // same user's other submission of this problem may add the progress row first (a unique violation): then the
        // result and progress are applied again on a fresh read, not graded again.
        for (var attempt = 1; ; attempt++)
        {
            Store(submission, result, clock.GetStoredUtcNow());
            if (submission.Status == SubmissionStatus.Completed)
            {
                await progress.ApplyGradedAsync(submission, submission.CompletedAt!.Value, CancellationToken.None);
            }

            try
            {
                await db.SaveChangesAsync(CancellationToken.None);
                break;
            }
            catch (DbUpdateException ex) when (attempt < 3 && errors.IsUniqueViolation(ex))
            {
                db.ChangeTracker.Clear();
                submission = await db.Set<Submission>().FirstAsync(s => s.Id == id, CancellationToken.None);
            }
        }

        notifier.Finish(id);
        LogGraded(logger, id, submission.ProblemId, result.Passed, result.Total);
    }

    /// <summary>
    /// Stores one more finished case while the rest are graded (the submission stays "grading"; passed and total stay
    /// unset until the end) and wakes the waiters, so a page shows each case's row as it is graded. The grader calls
    /// this one case at a time.
    /// </summary>
    private async Task StoreCaseAsync(Submission submission, List<CaseResult> finished, CaseResult graded, CancellationToken cancellationToken)
    {
        finished.Add(graded);
        submission.ResultJson = StoredGradingResult.ToJson(GradingResult.Of(submission.ProblemId, [.. finished.OrderBy(c => c.Index)]));
        await db.SaveChangesAsync(cancellationToken);
        notifier.Changed(submission.Id);
    }

    private static void Store(Submission submission, GradingResult result, DateTimeOffset now)
    {
        submission.ResultJson = StoredGradingResult.ToJson(result);
        submission.Passed = result.Passed;
        submission.Total = result.Total;
        submission.PassRate = result.PassRate;
        submission.CompletedAt = now;
        if (result.Cases.Any(c => c.Verdict == GradingVerdict.InternalError))
        {
            // Not the code's fault: the result is kept for the student to see, but it neither counts nor completes.
            submission.Status = SubmissionStatus.Failed;
            submission.AllPassed = false;
            submission.Message = "The sandbox failed in the host on some cases (internal_error); this submission does not count. Submit again.";
        }
        else
        {
            submission.Status = SubmissionStatus.Completed;
            submission.AllPassed = result.AllPassed;
        }
    }

    private async Task FailAsync(Submission submission, string message)
    {
        submission.Status = SubmissionStatus.Failed;
        submission.Message = message;
        submission.CompletedAt = clock.GetStoredUtcNow();
        await db.SaveChangesAsync(CancellationToken.None);
        notifier.Finish(submission.Id);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grading job {JobId} has no submission id as its payload")]
    private static partial void LogBadPayload(ILogger logger, Guid jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Submission {SubmissionId}: the grader threw")]
    private static partial void LogGraderFailed(ILogger logger, Exception exception, Guid submissionId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Submission {SubmissionId} of {ProblemId}: {Passed}/{Total} cases passed")]
    private static partial void LogGraded(ILogger logger, Guid submissionId, string problemId, int passed, int total);
}
