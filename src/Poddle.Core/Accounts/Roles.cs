namespace Poddle.Core.Accounts;

/// <summary>
/// The role names as they travel: the <c>role</c> claim of access tokens and API-token principals, and what
/// authorization checks (<c>IsInRole</c>, <c>RequireRole</c>) compare with. Each is the lower-case name of a
/// <see cref="UserRole"/>; <see cref="NameOf"/> is the one mapping.
/// </summary>
public static class Roles
{
    public const string Member = "member";
    public const string Admin = "admin";
    public const string Teacher = "teacher";
    public const string Student = "student";

    /// <summary>The claim value of <paramref name="role"/>.</summary>
    public static string NameOf(UserRole role) => role switch
    {
        UserRole.Member => Member,
        UserRole.Admin => Admin,
        UserRole.Teacher => Teacher,
        UserRole.Student => Student,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role."),
    };
}
