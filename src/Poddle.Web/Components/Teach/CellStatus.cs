namespace Poddle.Web.Components.Teach;

/// <summary>A student's standing on one problem, as the class progress grid shows it.</summary>
public enum CellStatus
{
    /// <summary>No graded submission or recorded attempt.</summary>
    New,

    /// <summary>Tried, not solved yet.</summary>
    Attempted,

    /// <summary>Every case passed once.</summary>
    Solved,
}
