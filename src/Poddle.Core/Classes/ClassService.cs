using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Persistence;
using Poddle.Core.Progress;

namespace Poddle.Core.Classes;

/// <summary>Who is asking: their id and role (from the access token).</summary>
public sealed record ClassCaller(Guid UserId, UserRole Role)
{
    /// <summary>Admins see and manage every class.</summary>
    public bool IsAdmin => Role == UserRole.Admin;
}

/// <summary>A class as one caller sees it: the join code only for its teacher and admins.</summary>
public sealed record ClassView(Classroom Class, string TeacherUsername, int Students, bool ShowJoinCode);

/// <summary>One student's line in a class's progress.</summary>
public sealed record StudentProgress(User Student, ProgressSummary Summary, IReadOnlyList<ProblemProgress> Problems);

/// <summary>
/// Classes: teachers create them, students join by code, and a class's teacher (or an admin) sees its students'
/// progress. Anyone else asking about a class gets "not found", never "forbidden", so ids reveal nothing.
/// </summary>
public sealed partial class ClassService(PoddleDbContext db, ProgressService progress, IDatabaseErrors errors, TimeProvider clock)
{
    /// <summary>Join codes use letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L).</summary>
    public const string JoinCodeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    /// <summary>Characters in a join code: 31^8 ≈ 8.5e11 codes, so guessing one is hopeless and collisions are rare.</summary>
    public const int JoinCodeLength = 8;

    /// <summary>Longest class name.</summary>
    public const int MaxNameLength = 100;

    /// <summary>Creates a class with a fresh join code; teachers and admins only (403 otherwise).</summary>
    public async Task<Result<ClassView>> CreateAsync(ClassCaller caller, string? name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.Role is not (UserRole.Teacher or UserRole.Admin))
        {
            return new Error(ErrorKind.Forbidden, ErrorCodes.Forbidden, "Only teachers and admins create classes.");
        }

        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > MaxNameLength || trimmed.Any(char.IsControl))
        {
            return Error.Validation(FieldPath.Of(nameof(name)), $"The name is required: 1 to {MaxNameLength} characters without control characters.");
        }

        var teacher = await db.Users.AsNoTracking().FirstAsync(u => u.Id == caller.UserId, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var created = new Classroom
            {
                Id = Guid.CreateVersion7(clock.GetUtcNow()),
                Name = trimmed,
                TeacherId = caller.UserId,
                JoinCode = NewJoinCode(),
                CreatedAt = clock.GetStoredUtcNow(),
            };
            db.Add(created);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                db.Entry(created).State = EntityState.Detached;
                return new ClassView(created, teacher.Username, 0, true);
            }
            catch (DbUpdateException ex) when (attempt < 5 && errors.IsUniqueViolation(ex))
            {
                // The code is taken: draw another.
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>The caller's classes: those they teach (with codes) and those they joined (without); admins see every class with its code.</summary>
    public async Task<IReadOnlyList<ClassView>> ListAsync(ClassCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var joined = db.Set<ClassroomMember>().Where(m => m.UserId == caller.UserId).Select(m => m.ClassId);
        var classes = db.Set<Classroom>().AsNoTracking();
        if (!caller.IsAdmin)
        {
            classes = classes.Where(c => c.TeacherId == caller.UserId || joined.Contains(c.Id));
        }

        var rows = await classes
            .OrderBy(c => c.CreatedAt)
            .Select(c => new
            {
                Class = c,
                Teacher = db.Users.Where(u => u.Id == c.TeacherId).Select(u => u.Username).First(),
                Students = db.Set<ClassroomMember>().Count(m => m.ClassId == c.Id),
            })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => new ClassView(r.Class, r.Teacher, r.Students, caller.IsAdmin || r.Class.TeacherId == caller.UserId))];
    }

    /// <summary>One class the caller teaches, joined, or (admins) any; 404 otherwise.</summary>
    public async Task<Result<ClassView>> GetAsync(ClassCaller caller, Guid classId, CancellationToken cancellationToken) =>
        (await ListAsync(caller, cancellationToken)).FirstOrDefault(v => v.Class.Id == classId) is { } view ? view : Error.NotFound("Class");

    /// <summary>
    /// Joins the class with this code (case and dashes ignored). Idempotent; 404 for an unknown code; admins cannot join
    /// (403), nor can a teacher join their own class (409).
    /// </summary>
    public async Task<Result<ClassView>> JoinAsync(ClassCaller caller, string? code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var normalized = new string((code ?? string.Empty).Where(c => !char.IsWhiteSpace(c) && c != '-').ToArray()).ToUpperInvariant();
        if (normalized.Length == 0)
        {
            return Error.Validation(FieldPath.Of(nameof(code)), "The class's join code is required (ask your teacher).");
        }

        if (caller.IsAdmin)
        {
            return new Error(ErrorKind.Forbidden, ErrorCodes.Forbidden, "Admins see every class already; they do not join one.");
        }

        var found = await db.Set<Classroom>().AsNoTracking().FirstOrDefaultAsync(c => c.JoinCode == normalized, cancellationToken);
        if (found is null)
        {
            return Error.NotFound("Class");
        }

        if (found.TeacherId == caller.UserId)
        {
            return Error.Conflict(ClassErrorCodes.OwnClass, "You teach this class; your students join it with this code.", FieldPath.Of(nameof(code)));
        }

        if (!await db.Set<ClassroomMember>().AnyAsync(m => m.ClassId == found.Id && m.UserId == caller.UserId, cancellationToken))
        {
            db.Add(new ClassroomMember { ClassId = found.Id, UserId = caller.UserId, JoinedAt = clock.GetStoredUtcNow() });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException ex) when (errors.IsUniqueViolation(ex))
            {
                // Joined by a concurrent request of the same user: the same outcome.
                db.ChangeTracker.Clear();
            }
        }

        return (await ListAsync(caller, cancellationToken)).First(v => v.Class.Id == found.Id);
    }

    /// <summary>Removes a student from a class; the class's teacher or an admin only (404 otherwise, and for a non-member).</summary>
    public async Task<Result<bool>> RemoveStudentAsync(ClassCaller caller, Guid classId, Guid studentId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (await FindManagedAsync(caller, classId, cancellationToken) is null)
        {
            return Error.NotFound("Class");
        }

        var removed = await db.Set<ClassroomMember>().Where(m => m.ClassId == classId && m.UserId == studentId).ExecuteDeleteAsync(cancellationToken);
        return removed == 0 ? Error.NotFound("Student") : true;
    }

    /// <summary>Every student's progress in a class; the class's teacher or an admin only (404 otherwise).</summary>
    public async Task<Result<(Classroom Class, IReadOnlyList<StudentProgress> Students)>> ProgressAsync(ClassCaller caller, Guid classId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (await FindManagedAsync(caller, classId, cancellationToken) is not { } found)
        {
            return Error.NotFound("Class");
        }

        var students = await db.Set<ClassroomMember>().AsNoTracking()
            .Where(m => m.ClassId == classId)
            .Join(db.Users.AsNoTracking(), m => m.UserId, u => u.Id, (m, u) => u)
            .OrderBy(u => u.Username)
            .ToListAsync(cancellationToken);
        var summaries = await progress.SummariesAsync([.. students.Select(s => s.Id)], cancellationToken);
        return (found, [.. students.Select(s => new StudentProgress(s, summaries[s.Id].Summary, summaries[s.Id].Rows))]);
    }

    private Task<Classroom?> FindManagedAsync(ClassCaller caller, Guid classId, CancellationToken cancellationToken) =>
        db.Set<Classroom>().AsNoTracking()
            .FirstOrDefaultAsync(c => c.Id == classId && (caller.IsAdmin || c.TeacherId == caller.UserId), cancellationToken);

    private static string NewJoinCode() => new(RandomNumberGenerator.GetItems<char>(JoinCodeAlphabet, JoinCodeLength));
}
