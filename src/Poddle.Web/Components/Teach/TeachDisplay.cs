using Poddle.Core.Accounts;

namespace Poddle.Web.Components.Teach;

/// <summary>Small display rules the teacher pages share.</summary>
internal static class TeachDisplay
{
    /// <summary>The curriculum's age groups (docs/curriculum.md), in the order pickers show them.</summary>
    public static IReadOnlyList<string> AgeGroups { get; } = ["11-14", "15-18"];

    /// <summary>"Display Name (username)", or the username alone when there is no display name.</summary>
    public static string NameOf(User student) =>
        string.IsNullOrWhiteSpace(student.DisplayName) ? student.Username : $"{student.DisplayName} ({student.Username})";
}
