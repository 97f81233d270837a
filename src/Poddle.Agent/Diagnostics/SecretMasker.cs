using System.Text.RegularExpressions;

namespace Poddle.Agent.Diagnostics;

/// <summary>
/// Hides secrets in what `poddle diagnose` prints: the whole value of a variable whose name looks secret, and
/// the password part of URLs (postgres://user:PASSWORD@host) and connection strings (Password=...;) anywhere else.
/// </summary>
public static partial class SecretMasker
{
    public const string Mask = "****";

    private static readonly string[] SecretWords = ["TOKEN", "KEY", "SECRET", "PASSWORD", "PASSWD", "PWD", "CREDENTIAL", "AUTH", "PRIVATE", "SESSION", "COOKIE"];

    /// <summary>True for names such as GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY, DB_PASSWORD, PODDLE_AGENT_TOKEN, Authorization.</summary>
    public static bool IsSecretName(string name)
    {
        // PWD is the shell's working directory, not a password.
        if (name is "PWD" or "OLDPWD")
        {
            return false;
        }

        return SecretWords.Any(word => name.Contains(word, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The value to show for the variable <paramref name="name"/>.</summary>
    public static string MaskVariable(string name, string value) =>
        IsSecretName(name) ? (value.Length == 0 ? string.Empty : Mask) : MaskInText(value);

    /// <summary>Masks passwords inside URLs and connection strings; other text is returned as it is.</summary>
    public static string MaskInText(string text)
    {
        var masked = UrlPassword().Replace(text, m => m.Groups["prefix"].Value + Mask + "@");
        return ConnectionStringPassword().Replace(masked, m => m.Groups["key"].Value + "=" + Mask);
    }

    // scheme://user:password@ — the user name is kept (it helps diagnosis), the password is not.
    [GeneratedRegex(@"(?<prefix>[a-zA-Z][a-zA-Z0-9+.\-]*://[^/\s:@]*:)[^@\s/]+@")]
    private static partial Regex UrlPassword();

    [GeneratedRegex(@"(?<key>\b(?:password|pwd|passwd)\b)\s*=\s*[^;\s]+", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionStringPassword();
}
