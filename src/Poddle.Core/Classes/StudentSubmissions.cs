using Poddle.Core.Accounts;
using Poddle.Core.Curriculum.Submissions;

namespace Poddle.Core.Classes;

/// <summary>
/// A student of a class and their graded submissions, code and results, as the class's teacher sees them. The results
/// hold nothing of hidden cases but passed and verdict (the grader never stored more).
/// </summary>
public sealed record StudentSubmissions(Classroom Class, User Student, IReadOnlyList<Submission> Submissions);
