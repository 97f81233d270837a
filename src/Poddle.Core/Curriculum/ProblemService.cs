using Microsoft.EntityFrameworkCore;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Curriculum.Grading;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Core.Curriculum;

/// <summary>Who is asking: writes and hidden content depend on the role and on authorship.</summary>
public sealed record CurriculumCaller(Guid UserId, UserRole Role)
{
    /// <summary>Teachers and admins write content.</summary>
    public bool IsWriter => Role is UserRole.Teacher or UserRole.Admin;

    /// <summary>Admins may edit, export and see the hidden cases of any problem, the starter set included.</summary>
    public bool IsAdmin => Role == UserRole.Admin;

    /// <summary>The problem's author or an admin: may edit it, export it and see its hidden cases.</summary>
    public bool Owns(StoredProblemView problem) => IsAdmin || (problem.AuthorId is { } author && author == UserId);
}

/// <summary>Filters of the problem list; null matches everything.</summary>
/// <param name="Level">The level's number.</param>
/// <param name="AgeGroup">"11-14" or "15-18".</param>
/// <param name="Tag">One of the problem's tags (any case).</param>
/// <param name="IncludeArchived">Archived problems too (teachers and admins).</param>
/// <param name="Session">A session's id ("11-14-1-hello-python") or its name.</param>
public sealed record ProblemFilter(int? Level = null, string? AgeGroup = null, string? Tag = null, string? Session = null, bool IncludeArchived = false);

/// <summary>A session of a level and its problems (not archived), in order.</summary>
/// <param name="Id">"{ageGroup}-{level}-{slug of the name}".</param>
/// <param name="Name">The session's name.</param>
/// <param name="Level">Its level.</param>
/// <param name="Order">The session's position in its level, from 1.</param>
/// <param name="Problems">Its problems that are not archived, in order.</param>
public sealed record CurriculumSession(string Id, string Name, Level Level, int Order, IReadOnlyList<StoredProblemView> Problems);

/// <summary>
/// The curriculum content use cases (docs/curriculum.md): reading problems, levels, sessions and cheatsheets from the
/// cached <see cref="ProblemCatalog"/>; creating, versioning, archiving, importing and exporting problems. Every write
/// adds an immutable version and invalidates the catalog. Hidden cases and solutions leave only through
/// <see cref="TestsAsync"/> with <c>includeHidden</c> and <see cref="ExportAsync"/>, both for the author or an admin.
/// </summary>
public sealed class ProblemService(
    PoddleDbContext db,
    ProblemCatalog catalog,
    IDatabaseErrors databaseErrors,
    ICodeExecutor executor,
    TimeProvider clock)
{
    /// <summary>Most bytes of an imported problem file.</summary>
    public const int MaxImportBytes = 4 * 1024 * 1024;

    private const string RequestSource = "request";

    /// <summary>The problems matching <paramref name="filter"/>, in curriculum order.</summary>
    public async Task<Result<IReadOnlyList<StoredProblemView>>> ListAsync(CurriculumCaller caller, ProblemFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.IncludeArchived && !caller.IsWriter)
        {
            return Forbidden(FieldPath.Of(nameof(ProblemFilter.IncludeArchived)), "Only teachers and admins see archived problems.");
        }

        var snapshot = await catalog.SnapshotAsync(cancellationToken);
        return snapshot.Problems.Where(p =>
                (filter.IncludeArchived || !p.Archived)
                && (filter.Level is null || p.Problem.Level == filter.Level)
                && (filter.AgeGroup is null || string.Equals(p.Problem.AgeGroup, filter.AgeGroup, StringComparison.Ordinal))
                && (filter.Tag is null || p.Problem.Tags.Contains(filter.Tag, StringComparer.OrdinalIgnoreCase))
                && (filter.Session is null || string.Equals(p.SessionId, filter.Session, StringComparison.Ordinal) || string.Equals(p.Problem.Session, filter.Session, StringComparison.Ordinal)))
            .ToList();
    }

    /// <summary>One problem, archived or not.</summary>
    public async Task<Result<StoredProblemView>> GetAsync(string problemId, CancellationToken cancellationToken) =>
        (await catalog.SnapshotAsync(cancellationToken)).Find(problemId) is { } problem ? problem : ProblemNotFound();

    /// <summary>
    /// The problem's test cases with their index in the problem: the public ones, or, with <paramref name="includeHidden"/>,
    /// all of them — for the problem's author or an admin only.
    /// </summary>
    public async Task<Result<(StoredProblemView Problem, IReadOnlyList<(int Index, TestCase Case)> Tests)>> TestsAsync(
        CurriculumCaller caller, string problemId, bool includeHidden, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var found = await GetAsync(problemId, cancellationToken);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var problem = found.Value;
        if (includeHidden && !caller.Owns(problem))
        {
            return Forbidden(FieldPath.Of(nameof(includeHidden)), "Only the problem's author and admins see its hidden cases.");
        }

        IReadOnlyList<(int, TestCase)> tests = [.. problem.Problem.Tests.Select((t, i) => (i, t)).Where(x => includeHidden || !x.t.Hidden)];
        return (problem, tests);
    }

    /// <summary>Every version of a problem, newest first (teachers and admins).</summary>
    public async Task<Result<IReadOnlyList<StoredProblemVersion>>> VersionsAsync(CurriculumCaller caller, string problemId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.IsWriter)
        {
            return Forbidden(null, "Only teachers and admins see a problem's versions.");
        }

        var versions = await db.Set<StoredProblemVersion>().AsNoTracking()
            .Where(v => v.ProblemId == problemId)
            .OrderByDescending(v => v.Version)
            .ToListAsync(cancellationToken);
        return versions.Count == 0 ? ProblemNotFound() : versions;
    }

    /// <summary>The levels of an age group; not found when the age group has none.</summary>
    public async Task<Result<IReadOnlyList<(Level Level, IReadOnlyList<CurriculumSession> Sessions)>>> LevelsAsync(string ageGroup, CancellationToken cancellationToken)
    {
        var snapshot = await catalog.SnapshotAsync(cancellationToken);
        var levels = snapshot.Levels.Where(l => string.Equals(l.AgeGroup, ageGroup, StringComparison.Ordinal)).ToList();
        if (levels.Count == 0)
        {
            return Error.NotFound($"The age group '{ageGroup}' (known: {string.Join(", ", snapshot.Levels.Select(l => l.AgeGroup).Distinct())})");
        }

        return levels.Select(l => (l, (IReadOnlyList<CurriculumSession>)[.. SessionsOf(snapshot, l)])).ToList();
    }

    /// <summary>A session by its id ("{ageGroup}-{level}-{slug of its name}").</summary>
    public async Task<Result<CurriculumSession>> SessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        var snapshot = await catalog.SnapshotAsync(cancellationToken);
        var session = snapshot.Levels.SelectMany(l => SessionsOf(snapshot, l)).FirstOrDefault(s => string.Equals(s.Id, sessionId, StringComparison.Ordinal));
        return session is null ? Error.NotFound("The session") : session;
    }

    /// <summary>A level's cheatsheet (the level itself).</summary>
    public async Task<Result<Level>> LevelAsync(string ageGroup, int number, CancellationToken cancellationToken)
    {
        var snapshot = await catalog.SnapshotAsync(cancellationToken);
        var level = snapshot.Levels.FirstOrDefault(l => string.Equals(l.AgeGroup, ageGroup, StringComparison.Ordinal) && l.Number == number);
        return level is null ? Error.NotFound($"Level {number} of the age group '{ageGroup}'") : level;
    }

    /// <summary>Creates a problem (version 1) authored by the caller; its id is the slug of its title when the draft has none.</summary>
    public async Task<Result<StoredProblemView>> CreateAsync(CurriculumCaller caller, ProblemDraft draft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(draft);
        if (!caller.IsWriter)
        {
            return WritersOnly();
        }

        if (draft.Id is null && draft.Title is not null && CurriculumSlug.Of(draft.Title) is { Length: > 0 } slug)
        {
            draft = draft with { Id = slug };
        }

        var validated = await ValidateAsync(RequestSource, draft, cancellationToken);
        return validated.IsSuccess ? await SaveNewAsync(caller, validated.Value, cancellationToken) : validated.Error;
    }

    /// <summary>Adds a version to a problem (its author, or an admin for any, the starter set included); restores an archived one.</summary>
    public async Task<Result<StoredProblemView>> UpdateAsync(CurriculumCaller caller, string problemId, ProblemDraft draft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(draft);
        if (!caller.IsWriter)
        {
            return WritersOnly();
        }

        var stored = await db.Set<StoredProblem>().FirstOrDefaultAsync(p => p.Id == problemId, cancellationToken);
        if (stored is null)
        {
            return ProblemNotFound();
        }

        if (!CanEdit(caller, stored))
        {
            return NotYours();
        }

        var validated = await ValidateAsync(RequestSource, draft with { Id = problemId }, cancellationToken);
        return validated.IsSuccess ? await SaveVersionAsync(caller, stored, validated.Value, cancellationToken) : validated.Error;
    }

    /// <summary>Archives a problem (its author or an admin): it leaves lists and grading; its rows, submissions and progress stay.</summary>
    public async Task<Result<StoredProblemView>> ArchiveAsync(CurriculumCaller caller, string problemId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.IsWriter)
        {
            return WritersOnly();
        }

        var stored = await db.Set<StoredProblem>().FirstOrDefaultAsync(p => p.Id == problemId, cancellationToken);
        if (stored is null)
        {
            return ProblemNotFound();
        }

        if (!CanEdit(caller, stored))
        {
            return NotYours();
        }

        if (!stored.Archived)
        {
            stored.Archived = true;
            stored.UpdatedAt = clock.GetStoredUtcNow();
            await db.SaveChangesAsync(cancellationToken);
            catalog.Invalidate();
        }

        return await GetAsync(problemId, cancellationToken);
    }

    /// <summary>
    /// Imports one problem file (YAML, as <see cref="ExportAsync"/> writes it): a new problem authored by the caller, or a
    /// new version of one the caller may edit. <c>Created</c> tells which.
    /// </summary>
    public async Task<Result<(StoredProblemView Problem, bool Created)>> ImportAsync(CurriculumCaller caller, Stream file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(file);
        if (!caller.IsWriter)
        {
            return WritersOnly();
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await file.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxImportBytes)
            {
                return Error.TooLarge(CurriculumFields.ProblemFile, $"The problem file is larger than {MaxImportBytes} bytes.");
            }
        }

        buffer.Position = 0;
        Problem problem;
        try
        {
            problem = CurriculumLoader.ReadProblem("import", buffer, await catalog.LevelsAsync(cancellationToken), CurriculumRules.Teacher);
        }
        catch (CurriculumException ex)
        {
            return ToValidation(ex);
        }

        var stored = await db.Set<StoredProblem>().FirstOrDefaultAsync(p => p.Id == problem.Id, cancellationToken);
        if (stored is not null && !CanEdit(caller, stored))
        {
            return Error.Conflict(CurriculumErrorCodes.ProblemExists, $"The problem '{problem.Id}' exists and belongs to another author; change the file's id to import it as yours.", FieldPath.Of(nameof(Problem.Id)));
        }

        var referenceCheck = await CheckReferenceSolutionAsync(problem, cancellationToken);
        if (referenceCheck is not null)
        {
            return referenceCheck;
        }

        var saved = stored is null
            ? await SaveNewAsync(caller, problem, cancellationToken)
            : await SaveVersionAsync(caller, stored, problem, cancellationToken);
        return saved.IsSuccess ? (saved.Value, stored is null) : saved.Error;
    }

    /// <summary>The problem as a file (YAML), hidden cases and solutions included: its author or an admin only.</summary>
    public async Task<Result<string>> ExportAsync(CurriculumCaller caller, string problemId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var found = await GetAsync(problemId, cancellationToken);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        return caller.Owns(found.Value)
            ? ProblemFileWriter.Write(found.Value.Problem)
            : Forbidden(null, "Only the problem's author and admins export it: the file holds its hidden cases.");
    }

    /// <summary>The row of one version of <paramref name="problem"/>.</summary>
    internal static StoredProblemVersion NewVersion(Problem problem, int version, Guid? authorId, DateTimeOffset now) => new()
    {
        ProblemId = problem.Id,
        Version = version,
        Title = problem.Title,
        PublicTests = problem.Tests.Count(t => !t.Hidden),
        HiddenTests = problem.Tests.Count(t => t.Hidden),
        ContentJson = ProblemJson.Write(problem),
        AuthorId = authorId,
        CreatedAt = now,
    };

    private static IEnumerable<CurriculumSession> SessionsOf(CurriculumSnapshot snapshot, Level level) =>
        level.Sessions.Select((name, i) => new CurriculumSession(
            CurriculumSnapshot.SessionId(level.AgeGroup, level.Number, name),
            name,
            level,
            i + 1,
            [.. snapshot.Problems.Where(p => !p.Archived && p.Problem.Level == level.Number
                && string.Equals(p.Problem.AgeGroup, level.AgeGroup, StringComparison.Ordinal)
                && string.Equals(p.Problem.Session, name, StringComparison.Ordinal))]));

    private static bool CanEdit(CurriculumCaller caller, StoredProblem stored) =>
        caller.IsAdmin || (stored.AuthorId is { } author && author == caller.UserId);

    private async Task<Result<Problem>> ValidateAsync(string source, ProblemDraft draft, CancellationToken cancellationToken)
    {
        Problem problem;
        try
        {
            problem = CurriculumLoader.ValidateDraft(source, draft, await catalog.LevelsAsync(cancellationToken), CurriculumRules.Teacher);
        }
        catch (CurriculumException ex)
        {
            return ToValidation(ex);
        }

        return await CheckReferenceSolutionAsync(problem, cancellationToken) is { } failed ? failed : problem;
    }

    /// <summary>When the problem carries a reference solution, it must pass every case; null when it does (or there is none).</summary>
    private async Task<Error?> CheckReferenceSolutionAsync(Problem problem, CancellationToken cancellationToken)
    {
        if (problem.ReferenceSolution is null)
        {
            return null;
        }

        var result = await new ProblemGrader(executor).GradeAsync(problem, problem.ReferenceSolution, cancellationToken);
        if (result.AllPassed)
        {
            return null;
        }

        if (result.Cases.Any(c => c.Verdict == GradingVerdict.InternalError))
        {
            return new Error(ErrorKind.Unavailable, CurriculumErrorCodes.GraderUnavailable, "The reference solution could not be run now; try again later.", RetryAfter: TimeSpan.FromSeconds(30));
        }

        // The author wrote every case, hidden ones included, so naming the failing ones tells them nothing new.
        var failures = string.Join(", ", result.Cases.Where(c => !c.Passed).Select(c => $"tests[{c.Index}]{(c.Hidden ? " (hidden)" : string.Empty)}: {c.Verdict.ToWireName()}"));
        var message = $"The reference solution passes {result.Passed} of {result.Total} cases; it must pass every case. Failing: {failures}.";
        return new Error(ErrorKind.Validation, CurriculumErrorCodes.ReferenceSolutionFailed, message, Error.One(FieldPath.Of(nameof(Problem.ReferenceSolution)), message));
    }

    private async Task<Result<StoredProblemView>> SaveNewAsync(CurriculumCaller caller, Problem problem, CancellationToken cancellationToken)
    {
        if (await db.Set<StoredProblem>().AnyAsync(p => p.Id == problem.Id, cancellationToken))
        {
            return ProblemExists(problem.Id);
        }

        var now = clock.GetStoredUtcNow();
        db.Set<StoredProblem>().Add(new StoredProblem
        {
            Id = problem.Id,
            CurrentVersion = 1,
            Origin = ProblemOrigin.Teacher,
            AuthorId = caller.UserId,
            CreatedAt = now,
            UpdatedAt = now,
        });
        db.Set<StoredProblemVersion>().Add(NewVersion(problem, 1, caller.UserId, now));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (databaseErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            return ProblemExists(problem.Id);
        }

        catalog.Invalidate();
        return await GetAsync(problem.Id, cancellationToken);
    }

    private async Task<Result<StoredProblemView>> SaveVersionAsync(CurriculumCaller caller, StoredProblem stored, Problem problem, CancellationToken cancellationToken)
    {
        var now = clock.GetStoredUtcNow();
        var version = stored.CurrentVersion + 1;
        db.Set<StoredProblemVersion>().Add(NewVersion(problem, version, caller.UserId, now));
        stored.CurrentVersion = version;
        stored.Archived = false;
        stored.UpdatedAt = now;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (databaseErrors.IsUniqueViolation(ex))
        {
            // Another edit of the same problem took this version number first (the versions' key is (problem, version)).
            db.ChangeTracker.Clear();
            return Error.Conflict(CurriculumErrorCodes.ProblemChanged, $"The problem '{problem.Id}' was edited at the same time; reload it and try again.");
        }

        catalog.Invalidate();
        return await GetAsync(problem.Id, cancellationToken);
    }

    private static Error ToValidation(CurriculumException exception)
    {
        var fields = new FieldErrors();
        foreach (var error in exception.Errors)
        {
            // Errors without a field, or placed by line (YAML syntax), are about the body as a whole.
            if (error.Field.Length == 0 || error.Field.StartsWith("line ", StringComparison.Ordinal))
            {
                fields.Add(CurriculumFields.ProblemFile, error.Field.Length == 0 ? error.Message : $"{error.Field}: {error.Message}");
            }
            else
            {
                fields.Add(FieldPath.AsSpelled(error.Field), error.Message);
            }
        }

        return fields.ToError();
    }

    private static Error ProblemNotFound() => Error.NotFound("The problem");

    private static Error ProblemExists(string id) =>
        Error.Conflict(CurriculumErrorCodes.ProblemExists, $"A problem with the id '{id}' exists already (archived ones count); choose another id.", FieldPath.Of(nameof(Problem.Id)));

    private static Error WritersOnly() => new(ErrorKind.Forbidden, ErrorCodes.Forbidden, "Only teachers and admins write curriculum content.");

    private static Error NotYours() => new(ErrorKind.Forbidden, CurriculumErrorCodes.NotYourProblem, "Only the problem's author and admins may change it.");

    private static Error Forbidden(FieldPath? field, string message) =>
        new(ErrorKind.Forbidden, ErrorCodes.Forbidden, message, field is { } named ? Error.One(named, message) : null);
}
