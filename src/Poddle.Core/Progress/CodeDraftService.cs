using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Curriculum;
using Poddle.Core.Executions;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Core.Progress;

/// <summary>
/// Students' code drafts (<see cref="CodeDraft"/>): saved as they type, per user, problem and language, and read back on
/// any device. Only the owner reads or writes a draft (the user id is the caller's own, never a parameter of the
/// request); the problem must exist and not be archived; the code is at most the execution source limit.
/// </summary>
public sealed class CodeDraftService(
    PoddleDbContext db,
    IProblemCatalog catalog,
    ICodeExecutor executor,
    IDatabaseErrors errors,
    IOptions<ExecutionOptions> executionOptions,
    TimeProvider clock)
{
    /// <summary>The largest draft: the largest program the execution service accepts.</summary>
    public int MaxCodeBytes => executionOptions.Value.MaxCodeBytes;

    /// <summary>The caller's draft of a problem in a language (the problem's own when null); not found when there is none.</summary>
    public async Task<Result<CodeDraft>> GetAsync(Guid userId, string problemId, string? language, CancellationToken cancellationToken)
    {
        var resolved = await ResolveAsync(problemId, language, cancellationToken);
        if (!resolved.IsSuccess)
        {
            return resolved.Error;
        }

        var draft = await db.Set<CodeDraft>().AsNoTracking()
            .FirstOrDefaultAsync(d => d.UserId == userId && d.ProblemId == problemId && d.Language == resolved.Value, cancellationToken);
        return draft is null ? Error.NotFound("Draft") : draft;
    }

    /// <summary>Saves (creates or replaces) the caller's draft. 400 without code or for a language the server does not run, 413 over <see cref="MaxCodeBytes"/>.</summary>
    public async Task<Result<CodeDraft>> SaveAsync(Guid userId, string problemId, string? language, string? code, CancellationToken cancellationToken)
    {
        if (code is null)
        {
            return Error.Validation(FieldPath.Of(nameof(code)), "The code is required (an empty string is a valid draft).");
        }

        var bytes = Encoding.UTF8.GetByteCount(code);
        if (bytes > MaxCodeBytes)
        {
            return Error.TooLarge(FieldPath.Of(nameof(code)), $"The draft is {bytes} bytes; at most {MaxCodeBytes} bytes are kept.");
        }

        var resolved = await ResolveAsync(problemId, language, cancellationToken);
        if (!resolved.IsSuccess)
        {
            return resolved.Error;
        }

        var now = clock.GetStoredUtcNow();
        for (var attempt = 1; ; attempt++)
        {
            var draft = await db.Set<CodeDraft>()
                .FirstOrDefaultAsync(d => d.UserId == userId && d.ProblemId == problemId && d.Language == resolved.Value, cancellationToken);
            if (draft is null)
            {
                draft = new CodeDraft { UserId = userId, ProblemId = problemId, Language = resolved.Value, Code = code };
                db.Add(draft);
            }

            draft.Code = code;
            draft.UpdatedAt = now;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                db.Entry(draft).State = EntityState.Detached;
                return draft;
            }
            catch (DbUpdateException ex) when (attempt == 1 && errors.IsUniqueViolation(ex))
            {
                // Another device of the same user created it at the same moment: update that row instead.
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>Deletes the caller's draft (the editor goes back to the starter code). Idempotent.</summary>
    public async Task<Result<bool>> DeleteAsync(Guid userId, string problemId, string? language, CancellationToken cancellationToken)
    {
        var resolved = await ResolveAsync(problemId, language, cancellationToken);
        if (!resolved.IsSuccess)
        {
            return resolved.Error;
        }

        var deleted = await db.Set<CodeDraft>()
            .Where(d => d.UserId == userId && d.ProblemId == problemId && d.Language == resolved.Value)
            .ExecuteDeleteAsync(cancellationToken);
        return deleted > 0;
    }

    /// <summary>The canonical language of a draft: the problem's when none is asked; 404 for an unknown or archived problem.</summary>
    private async Task<Result<string>> ResolveAsync(string problemId, string? language, CancellationToken cancellationToken)
    {
        if (await catalog.FindAsync(problemId, cancellationToken) is not { Archived: false } found)
        {
            return Error.NotFound("Problem");
        }

        var asked = string.IsNullOrWhiteSpace(language) ? found.Problem.Language : language.Trim();
        var runtime = executor.Runtimes.FirstOrDefault(r =>
            string.Equals(r.Language, asked, StringComparison.OrdinalIgnoreCase)
            || r.Aliases.Any(a => string.Equals(a, asked, StringComparison.OrdinalIgnoreCase)));

        // The problem's own language is always a valid key, even while the executor has not discovered it yet.
        if (runtime is null && string.Equals(asked, found.Problem.Language, StringComparison.OrdinalIgnoreCase))
        {
            return found.Problem.Language;
        }

        return runtime is null
            ? Error.Validation(FieldPath.Of(nameof(language)), $"'{asked}' is not a language this server runs. Available: {string.Join(", ", executor.Runtimes.Select(r => r.Language))}.")
            : runtime.Language;
    }
}
