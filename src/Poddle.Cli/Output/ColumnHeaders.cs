namespace Poddle.Cli.Output;

/// <summary>
/// Table headers that several commands print, spelled once so that a name means one thing in every table (people's
/// scripts pick columns by them; programs should use --json).
/// </summary>
internal static class ColumnHeaders
{
    public const string Name = "NAME";
    public const string Id = "ID";
    public const string Status = "STATUS";

    /// <summary>How long ago it was created or started (2h, 3d).</summary>
    public const string Age = "AGE";

    /// <summary>A problem's or level's age group (11-14, 15-18): the same header as <see cref="Age"/>, another meaning.</summary>
    public const string AgeGroup = "AGE";

    public const string Created = "CREATED";
    public const string Ready = "READY";
    public const string Health = "HEALTH";
    public const string Revision = "REVISION";
    public const string Replica = "REPLICA";
    public const string Level = "LEVEL";
    public const string Title = "TITLE";
    public const string Solved = "SOLVED";
    public const string Attempted = "ATTEMPTED";
    public const string Streak = "STREAK";
    public const string LastActivity = "LAST ACTIVITY";
    public const string Verified = "VERIFIED";

    /// <summary>Milliseconds something took.</summary>
    public const string Time = "TIME";
}
