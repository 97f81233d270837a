namespace Poddle.Core.Curriculum;

/// <summary>Where a stored problem came from.</summary>
public static class ProblemOrigin
{
    /// <summary>Shipped with Poddle and loaded on first start.</summary>
    public const string Starter = "starter";

    /// <summary>Written (or imported) by a teacher or an admin.</summary>
    public const string Teacher = "teacher";
}

/// <summary>
/// A stored problem: its identity, who owns it, whether it is archived, and which of its immutable
/// <see cref="StoredProblemVersion"/>s is current. Rows are never deleted, so submissions and progress keep their problem.
/// </summary>
public sealed class StoredProblem
{
    /// <summary>The problem's slug (its id in the API and in files).</summary>
    public required string Id { get; init; }

    /// <summary>The number of the current version (1, 2, ...).</summary>
    public int CurrentVersion { get; set; }

    /// <summary>Archived problems are not listed nor gradable.</summary>
    public bool Archived { get; set; }

    /// <summary><see cref="ProblemOrigin.Starter"/> or <see cref="ProblemOrigin.Teacher"/>.</summary>
    public required string Origin { get; init; }

    /// <summary>The teacher who created it; null for the starter curriculum. Only they (and admins) may edit it.</summary>
    public Guid? AuthorId { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When its current version was written, or when it was archived.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One version of a problem, written once and never changed: the full content, hidden cases and solutions included.</summary>
public sealed class StoredProblemVersion
{
    /// <summary>The problem.</summary>
    public required string ProblemId { get; init; }

    /// <summary>1 for the first version; each edit adds one.</summary>
    public int Version { get; init; }

    /// <summary>The title, kept as a column so version lists need not read the content.</summary>
    public required string Title { get; init; }

    /// <summary>Public cases in this version.</summary>
    public int PublicTests { get; init; }

    /// <summary>Hidden cases in this version.</summary>
    public int HiddenTests { get; init; }

    /// <summary>The <see cref="Problem"/> as JSON (<see cref="ProblemJson"/>).</summary>
    public required string ContentJson { get; init; }

    /// <summary>Who wrote this version; null for the starter curriculum.</summary>
    public Guid? AuthorId { get; init; }

    /// <summary>When it was written.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A level of an age group, with its sessions (JSON array) and cheatsheet; loaded from the starter set.</summary>
public sealed class StoredLevel
{
    /// <summary>"11-14" or "15-18".</summary>
    public required string AgeGroup { get; init; }

    /// <summary>The level's number within its age group.</summary>
    public int Number { get; init; }

    /// <summary>Short title.</summary>
    public required string Title { get; set; }

    /// <summary>The session names, in order, as a JSON array.</summary>
    public required string SessionsJson { get; set; }

    /// <summary>Markdown.</summary>
    public required string Cheatsheet { get; set; }
}
