using Microsoft.EntityFrameworkCore;
using Poddle.Core.Common;
using Poddle.Core.Curriculum.Submissions;

namespace Poddle.Core.Classes;

public sealed partial class ClassService
{
    /// <summary>
    /// A student's graded submissions with their code, newest first, optionally of one problem: the class's teacher or an
    /// admin only. Another teacher's class, a student who is not (or no longer) in the class and an unknown id are all
    /// "not found", so a teacher learns nothing about anyone outside their classes.
    /// </summary>
    public async Task<Result<StudentSubmissions>> StudentSubmissionsAsync(
        ClassCaller caller, Guid classId, Guid studentId, string? problemId, int offset, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (SubmissionService.PageError(offset, limit) is { } invalid)
        {
            return invalid;
        }

        if (await FindManagedAsync(caller, classId, cancellationToken) is not { } found)
        {
            return Error.NotFound("Class");
        }

        var student = await db.Set<ClassroomMember>().AsNoTracking()
            .Where(m => m.ClassId == classId && m.UserId == studentId)
            .Join(db.Users.AsNoTracking(), m => m.UserId, u => u.Id, (m, u) => u)
            .FirstOrDefaultAsync(cancellationToken);
        if (student is null)
        {
            return Error.NotFound("Student");
        }

        var query = db.Set<Submission>().AsNoTracking().Where(s => s.OwnerId == studentId);
        if (!string.IsNullOrEmpty(problemId))
        {
            query = query.Where(s => s.ProblemId == problemId);
        }

        // Ids are version 7: their order is submission order, and unlike a timestamp they never tie.
        var submissions = await query.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id).Skip(offset).Take(limit).ToListAsync(cancellationToken);
        return new StudentSubmissions(found, student, submissions);
    }
}
