using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Curriculum.Grading;
using Poddle.Core.Executions;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Core.Curriculum.Submissions;

/// <summary>Code to grade against a problem; the language defaults to the problem's.</summary>
public sealed record GradeSubmission(string? Code, string? ProblemId, string? Language = null);

/// <summary>
/// Graded submissions: validates and queues them (durably, on the job queue's "grading" lane) under the same per-user
/// rate limit as plain runs, answers them to their owner, and waits for results pushed by the grading worker.
/// </summary>
public sealed class SubmissionService(
    PoddleDbContext db,
    JobQueue queue,
    IProblemCatalog catalog,
    ICodeExecutor executor,
    ProblemGrader grader,
    ExecutionRateLimiter rateLimiter,
    ExecutionNotifier notifier,
    IOptions<ExecutionOptions> executionOptions,
    IOptions<GradingOptions> options,
    TimeProvider clock)
{
    /// <summary>The grading lane's job kind (and the lane's name).</summary>
    public const string JobKind = JobKinds.Grading;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The largest code graded: the execution limit, and never more than the grader takes.</summary>
    public int MaxCodeBytes => Math.Min(executionOptions.Value.MaxCodeBytes, CurriculumLoader.MaxCodeBytes);

    /// <summary>
    /// Queues code for grading. 400 for a missing field or a language the problem cannot be graded in, 413 for code over
    /// <see cref="MaxCodeBytes"/>, 404 for an unknown or archived problem, 429 over the shared rate limit, 503 when the
    /// grading queue is full.
    /// </summary>
    public async Task<Result<Submission>> SubmitAsync(Submitter submitter, GradeSubmission request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submitter);
        ArgumentNullException.ThrowIfNull(request);
        if (submitter.UserId is not { } ownerId)
        {
            throw new ArgumentException("Graded submissions belong to a user.", nameof(submitter));
        }

        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(request.Code))
        {
            errors.Add(FieldPath.Of(nameof(GradeSubmission.Code)), "The code is required.");
        }

        if (string.IsNullOrWhiteSpace(request.ProblemId))
        {
            errors.Add(FieldPath.Of(nameof(GradeSubmission.ProblemId)), "The problem id is required. GET /api/problems lists them.");
        }

        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        var codeBytes = Encoding.UTF8.GetByteCount(request.Code!);
        if (codeBytes > MaxCodeBytes)
        {
            return Error.TooLarge(FieldPath.Of(nameof(GradeSubmission.Code)), $"The code is {codeBytes} bytes; at most {MaxCodeBytes} bytes are accepted.");
        }

        // Archived problems answer 404 like unknown ones: they are not listed and take no new submissions.
        if (await catalog.FindAsync(request.ProblemId!, cancellationToken) is not { Archived: false } found)
        {
            return Error.NotFound("Problem");
        }

        var problem = found.Problem;
        var language = problem.Language;
        if (!string.IsNullOrWhiteSpace(request.Language))
        {
            // Stdin problems take any language the server runs (compiled ones are compiled once for every case);
            // function tests call Python.
            if (grader.CheckLanguage(problem, request.Language.Trim()) is { } why)
            {
                return Error.Validation(FieldPath.Of(nameof(GradeSubmission.Language)), why);
            }

            language = CanonicalLanguage(request.Language.Trim());
        }

        var now = clock.GetStoredUtcNow();
        if (await rateLimiter.CheckAsync(submitter, now, cancellationToken) is { } limited)
        {
            return limited;
        }

        var settings = options.Value;
        if (await db.Set<Submission>().CountAsync(s => s.Status == SubmissionStatus.Queued, cancellationToken) >= settings.MaxQueueDepth)
        {
            return new Error(
                ErrorKind.Unavailable,
                ErrorCodes.QueueFull,
                $"The grading queue holds {settings.MaxQueueDepth} submissions or more; try again shortly.",
                RetryAfter: executionOptions.Value.BackpressureRetryAfter);
        }

        var submission = new Submission
        {
            Id = Guid.CreateVersion7(now),
            OwnerId = ownerId,
            RateKey = submitter.RateKey,
            ProblemId = problem.Id,
            ProblemVersion = found.Version,
            Language = language,
            Code = request.Code!,
            Status = SubmissionStatus.Queued,
            CreatedAt = now,
        };
        db.Set<Submission>().Add(submission);

        // One transaction: the submission exists exactly when its job does; the commit wakes this process's graders.
        await queue.EnqueueAsync(JobKind, submission.Id.ToString(), new EnqueueOptions(IdempotencyKey: "grading:" + submission.Id.ToString("N"), MaxAttempts: 3), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        db.Entry(submission).State = EntityState.Detached;
        return submission;
    }

    /// <summary>A submission of <paramref name="ownerId"/>; another user's is not found.</summary>
    public async Task<Result<Submission>> GetAsync(Guid ownerId, Guid submissionId, CancellationToken cancellationToken)
    {
        var submission = await db.Set<Submission>().AsNoTracking()
            .FirstOrDefaultAsync(s => s.Id == submissionId && s.OwnerId == ownerId, cancellationToken);
        return submission is null ? Error.NotFound("Submission") : submission;
    }

    /// <summary>The owner's submissions, newest first, optionally of one problem; <paramref name="limit"/> from 1 to <see cref="GradingOptions.MaxListLimit"/>.</summary>
    public async Task<Result<IReadOnlyList<Submission>>> ListAsync(Guid ownerId, string? problemId, int offset, int limit, CancellationToken cancellationToken)
    {
        if (PageError(offset, limit) is { } invalid)
        {
            return invalid;
        }

        var query = db.Set<Submission>().AsNoTracking().Where(s => s.OwnerId == ownerId);
        if (!string.IsNullOrEmpty(problemId))
        {
            query = query.Where(s => s.ProblemId == problemId);
        }

        // Ids are version 7: their order is submission order, and unlike a timestamp they never tie.
        return await query.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id).Skip(offset).Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>The error of a list page's bounds (<paramref name="limit"/> from 1 to <see cref="GradingOptions.MaxListLimit"/>); null when they are fine.</summary>
    internal static Error? PageError(int offset, int limit)
    {
        var errors = new FieldErrors();
        if (limit is < 1 or > GradingOptions.MaxListLimit)
        {
            errors.Add(FieldPath.Of(nameof(limit)), $"limit must be between 1 and {GradingOptions.MaxListLimit} (got {limit}).");
        }

        if (offset < 0)
        {
            errors.Add(FieldPath.Of(nameof(offset)), $"offset must be 0 or more (got {offset}).");
        }

        return errors.IsEmpty ? null : errors.ToError();
    }

    /// <summary>
    /// Waits until the submission is graded (or failed) or <paramref name="timeout"/> passes, and returns its latest
    /// state. Woken in-process by the grader; polls the database for a grader on another server.
    /// </summary>
    public Task<Submission?> WaitAsync(Guid submissionId, TimeSpan timeout, CancellationToken cancellationToken) =>
        notifier.WaitAsync(
            submissionId,
            token => db.Set<Submission>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == submissionId, token),
            s => s.Status is SubmissionStatus.Completed or SubmissionStatus.Failed,
            timeout,
            PollInterval,
            clock,
            cancellationToken);

    /// <summary>
    /// Waits until the submission has more than <paramref name="knownCases"/> graded cases stored, or is graded (or
    /// failed), or <paramref name="timeout"/> passes, and returns its latest state: a page shows each case as it is
    /// graded. Woken in-process by the grader after each case; polls the database for a grader on another server.
    /// </summary>
    public Task<Submission?> WaitForCasesAsync(Guid submissionId, int knownCases, TimeSpan timeout, CancellationToken cancellationToken) =>
        notifier.WaitAsync(
            submissionId,
            token => db.Set<Submission>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == submissionId, token),
            s => s.Status is SubmissionStatus.Completed or SubmissionStatus.Failed || GradedCases(s) > knownCases,
            timeout,
            PollInterval,
            clock,
            cancellationToken);

    /// <summary>How many of the submission's cases are graded and stored.</summary>
    public static int GradedCases(Submission submission)
    {
        ArgumentNullException.ThrowIfNull(submission);
        return StoredGradingResult.FromJson(submission.ResultJson)?.Cases.Count ?? 0;
    }

    /// <summary>The runtime's canonical name for a name or alias the executor offers (checked before).</summary>
    private string CanonicalLanguage(string asked) =>
        executor.Runtimes.First(r => string.Equals(r.Language, asked, StringComparison.OrdinalIgnoreCase)
            || r.Aliases.Any(a => string.Equals(a, asked, StringComparison.OrdinalIgnoreCase))).Language;
}
