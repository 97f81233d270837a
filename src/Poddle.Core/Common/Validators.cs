using System.Text.RegularExpressions;

namespace Poddle.Core.Common;

/// <summary>Input rules shared by several features.</summary>
public static partial class Validators
{
    /// <summary>RFC 1123 DNS label: 1-63 chars, lower-case letters, digits and '-', not starting or ending with '-'.</summary>
    public static bool IsDnsLabel(string? value) =>
        value is { Length: > 0 and <= 63 } && DnsLabelRegex().IsMatch(value);

    public static bool IsEmail(string? value) =>
        value is { Length: > 2 and <= 254 } && EmailRegex().IsMatch(value);

    /// <summary>Usernames: 3-32 chars, lower-case letters, digits, '-', '_' and '.', starting with a letter or digit.</summary>
    public static bool IsUsername(string? value) =>
        value is { Length: >= 3 and <= 32 } && UsernameRegex().IsMatch(value);

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9-]*[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex DnsLabelRegex();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex EmailRegex();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex UsernameRegex();
}
