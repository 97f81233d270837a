namespace Poddle.Contracts;

// The learning platform's wire shapes (docs/curriculum.md): problems, levels, sessions and cheatsheets; grading
// submissions; progress; classes. Hidden test cases have no field that can carry their input, expected or actual
// output to a student: a hidden case's result is its index, passed and verdict only.

/// <summary>A problem in a list: no statement and no tests.</summary>
/// <param name="SessionId">The session's id, e.g. "11-14-1-first-steps" (GET /api/sessions/{id}).</param>
/// <param name="PublicTests">How many public cases it has.</param>
/// <param name="HiddenTests">How many hidden cases it has (the count is not a secret; their content is).</param>
public sealed record ProblemSummaryResponse(
    string Id,
    string Title,
    string AgeGroup,
    int Level,
    string Session,
    string SessionId,
    int Order,
    IReadOnlyList<string> Tags,
    string Language,
    int Version,
    bool Archived,
    int PublicTests,
    int HiddenTests);

/// <summary>GET /api/problems/{id}: everything a student needs to solve it, and nothing of its hidden cases.</summary>
/// <param name="Comparison">"trim" (trailing whitespace per line and at the end ignored) or "exact".</param>
/// <param name="FunctionName">The function that function tests call; null when the problem has only stdin tests.</param>
/// <param name="Origin">"starter" (shipped with Poddle) or "teacher".</param>
/// <param name="AuthorId">The teacher who wrote it; null for the starter curriculum.</param>
public sealed record CurriculumProblemResponse(
    string Id,
    string Title,
    string AgeGroup,
    int Level,
    string Session,
    string SessionId,
    int Order,
    IReadOnlyList<string> Tags,
    string Statement,
    string StarterCode,
    string Language,
    string Comparison,
    ProblemLimitsBody? Limits,
    string? FunctionName,
    int Version,
    bool Archived,
    int PublicTests,
    int HiddenTests,
    string Origin,
    Guid? AuthorId,
    DateTimeOffset UpdatedAt);

/// <summary>Per-case limits of a problem; null takes the executor's default.</summary>
public sealed record ProblemLimitsBody(int? CpuMs = null, int? MemoryMb = null);

/// <summary>
/// A test case as shown: GET /api/problems/{id}/tests returns public cases only; its author and admins may add
/// <c>?includeHidden=true</c> to see hidden ones too.
/// </summary>
/// <param name="Kind">"stdin" or "function".</param>
public sealed record TestCaseResponse(
    int Index,
    string Kind,
    bool Hidden,
    string? Stdin,
    string? ExpectedStdout,
    string? Call,
    string? Expected);

/// <summary>
/// POST /api/problems (create) and PUT /api/problems/{id} (a new version). Teachers and admins only.
/// Each test sets either Stdin/ExpectedStdout or Call/Expected.
/// </summary>
/// <param name="Id">Slug; on POST derived from the title when null; on PUT ignored (the path names the problem).</param>
/// <param name="ReferenceSolution">Optional: when given, the server grades it and refuses the problem unless it passes every case.</param>
public sealed record ProblemWriteRequest(
    string? Id = null,
    string? Title = null,
    string? AgeGroup = null,
    int? Level = null,
    string? Session = null,
    int? Order = null,
    IReadOnlyList<string>? Tags = null,
    string? Statement = null,
    string? StarterCode = null,
    string? Language = null,
    string? Comparison = null,
    ProblemLimitsBody? Limits = null,
    string? FunctionName = null,
    IReadOnlyList<TestCaseRequest>? Tests = null,
    string? ReferenceSolution = null);

/// <summary>One test case in a <see cref="ProblemWriteRequest"/>.</summary>
/// <param name="Hidden">Required, as in a problem file: a case whose author forgot to say is never shown by default.</param>
public sealed record TestCaseRequest(
    string? Stdin = null,
    string? ExpectedStdout = null,
    string? Call = null,
    string? Expected = null,
    bool? Hidden = null);

/// <summary>One stored version of a problem (GET /api/problems/{id}/versions; teachers and admins).</summary>
public sealed record ProblemVersionResponse(int Version, DateTimeOffset CreatedAt, Guid? AuthorId, string Title, int PublicTests, int HiddenTests);

/// <summary>GET /api/levels/{ageGroup}: the age group's levels, their sessions and the sessions' problems.</summary>
public sealed record LevelResponse(string AgeGroup, int Number, string Title, IReadOnlyList<CurriculumSessionResponse> Sessions);

/// <summary>A session of a level (GET /api/sessions/{id}), with its problems in order.</summary>
/// <param name="Id">"{ageGroup}-{level}-{slug of the name}", e.g. "11-14-1-first-steps".</param>
public sealed record CurriculumSessionResponse(string Id, string Name, string AgeGroup, int Level, int Order, IReadOnlyList<ProblemSummaryResponse> Problems);

/// <summary>GET /api/levels/{ageGroup}/{level}/cheatsheet.</summary>
public sealed record CheatsheetResponse(string AgeGroup, int Level, string Title, string Markdown);

/// <summary>POST /api/execution/submit/grade: grade code against every case of a problem.</summary>
/// <param name="Language">Defaults to the problem's language.</param>
public sealed record GradeSubmissionRequest(string? Code, string? ProblemId, string? Language = null);

/// <summary>
/// A graded submission (202 while queued or grading; 200 with the result, with <c>?wait=true</c> or from
/// GET /api/submissions/{id}). Shaped like the design's grading response: passed, total, passRate, cases.
/// </summary>
/// <param name="Status">"queued", "grading", "completed" or "failed" (the host failed, not the code).</param>
/// <param name="AllPassed">Every case passed: this submission completed the problem.</param>
public sealed record SubmissionResponse(
    Guid Id,
    string ProblemId,
    int ProblemVersion,
    string Language,
    string Status,
    int? Passed,
    int? Total,
    double? PassRate,
    bool? AllPassed,
    IReadOnlyList<GradedCaseResponse>? Cases,
    string? Message,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt);

/// <summary>
/// One graded case. For a hidden case only Index, Hidden, Passed and Verdict are set; TimeMs, Input, Expected,
/// Actual and Error are always null.
/// </summary>
/// <param name="Verdict">ok, wrong_answer, compile_error, runtime_error, time_limit_exceeded, memory_limit_exceeded, output_limit_exceeded, internal_error.</param>
public sealed record GradedCaseResponse(
    int Index,
    bool Hidden,
    bool Passed,
    string Verdict,
    long? TimeMs,
    string? Input,
    string? Expected,
    string? Actual,
    string? Error);

/// <summary>A user's progress on one problem (GET /api/progress).</summary>
/// <param name="Status">"attempted" or "solved".</param>
/// <param name="SolvedBySubmission">The graded submission that passed every case; set by the server only.</param>
public sealed record ProblemProgressResponse(
    string ProblemId,
    string Status,
    int Attempts,
    double BestPassRate,
    DateTimeOffset? FirstAttemptAt,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? SolvedAt,
    Guid? SolvedBySubmission);

/// <summary>POST /api/progress/attempt: the student opened or tried a problem (it counts as attempted, never solved).</summary>
public sealed record RecordAttemptRequest(string? ProblemId);

/// <summary>
/// POST /api/progress/complete: asks the server to record a completion. It succeeds only when
/// <paramref name="SubmissionId"/> is the caller's own graded submission of that problem and passed every case.
/// </summary>
public sealed record CompleteProblemRequest(string? ProblemId, Guid? SubmissionId);

/// <summary>One level in GET /api/progress/summary.</summary>
/// <param name="StreakDays">Consecutive days, up to today (UTC), with at least one graded submission in this level.</param>
public sealed record LevelProgressResponse(
    string AgeGroup,
    int Level,
    string Title,
    int Problems,
    int Solved,
    int Attempted,
    int StreakDays,
    DateTimeOffset? LastActivity);

/// <summary>GET /api/progress/summary.</summary>
/// <param name="StreakDays">Consecutive days, up to today (UTC), with at least one graded submission.</param>
public sealed record ProgressSummaryResponse(
    IReadOnlyList<LevelProgressResponse> Levels,
    int Solved,
    int Attempted,
    int StreakDays,
    DateTimeOffset? LastActivity);

/// <summary>POST /api/classes (teachers and admins).</summary>
public sealed record CreateClassRequest(string? Name);

/// <summary>A class. <paramref name="JoinCode"/> is shown to its teacher (and admins) only.</summary>
public sealed record ClassResponse(Guid Id, string Name, string TeacherUsername, string? JoinCode, int Students, DateTimeOffset CreatedAt);

/// <summary>POST /api/classes/join: a student joins a class by its code.</summary>
public sealed record JoinClassRequest(string? Code);

/// <summary>GET /api/classes/{id}/progress: the teacher's view of every student in the class.</summary>
public sealed record ClassProgressResponse(Guid ClassId, string Name, IReadOnlyList<StudentProgressResponse> Students);

/// <summary>GET /api/classes/{id}/students/{userId}/submissions: one student's graded submissions, as their teacher sees them.</summary>
public sealed record StudentSubmissionsResponse(Guid ClassId, Guid UserId, string Username, string? DisplayName, IReadOnlyList<StudentSubmissionResponse> Submissions);

/// <summary>A student's graded submission and its code; hidden cases show only passed and verdict, as to the student.</summary>
public sealed record StudentSubmissionResponse(SubmissionResponse Submission, string Code);

/// <summary>One student in a class's progress.</summary>
public sealed record StudentProgressResponse(
    Guid UserId,
    string Username,
    string? DisplayName,
    int Solved,
    int Attempted,
    int StreakDays,
    DateTimeOffset? LastActivity,
    IReadOnlyList<ProblemProgressResponse> Problems);

/// <summary>A student's code draft of a problem (GET/PUT /api/problems/{id}/draft): saved as they type, continued on any device.</summary>
/// <param name="Language">The runtime's canonical name.</param>
public sealed record CodeDraftResponse(string ProblemId, string Language, string Code, DateTimeOffset UpdatedAt);

/// <summary>PUT /api/problems/{id}/draft: the code (an empty string is a draft too) and its language (the problem's when null).</summary>
public sealed record SaveCodeDraftRequest(string? Code, string? Language);
