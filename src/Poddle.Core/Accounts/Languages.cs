namespace Poddle.Core.Accounts;

/// <summary>
/// The languages Poddle speaks (the web app's resources, a user's <see cref="User.PreferredLanguage"/>): wire values are
/// the culture names the web app's resource files carry (<c>ShellText.ru.resx</c>, <c>ShellText.uz-Latn.resx</c>).
/// </summary>
public static class Languages
{
    public const string English = "en";
    public const string Russian = "ru";
    public const string UzbekLatin = "uz-Latn";

    /// <summary>The supported names, the default (English) first.</summary>
    public static IReadOnlyList<string> All { get; } = [English, Russian, UzbekLatin];

    /// <summary>The supported name equal to <paramref name="name"/> ignoring case, or null.</summary>
    public static string? Find(string? name) =>
        All.FirstOrDefault(l => string.Equals(l, name?.Trim(), StringComparison.OrdinalIgnoreCase));
}
